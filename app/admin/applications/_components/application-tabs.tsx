import Link from "next/link";

const tabs = [
  { segment: "", label: "Overview" },
  { segment: "/quick-start", label: "Quick start" },
  { segment: "/try-it", label: "Try it" },
  { segment: "/tokens", label: "Tokens & consents" },
  { segment: "/usage", label: "Usage" },
  { segment: "/history", label: "History" },
] as const;

export type ApplicationTab = (typeof tabs)[number]["label"];

/** The sections of an application's page; each is its own route so it can be linked and paginated. */
export function ApplicationTabs({ id, active }: { id: string; active: ApplicationTab }) {
  return (
    <nav aria-label="Application sections" className="mb-6 border-b border-slate-200">
      <ul className="flex flex-wrap gap-x-1">
        {tabs.map((tab) => (
          <li key={tab.label}>
            <Link
              href={`/admin/applications/${id}${tab.segment}`}
              aria-current={tab.label === active ? "page" : undefined}
              className={`block whitespace-nowrap border-b-2 px-3 py-2 text-sm font-medium ${
                tab.label === active
                  ? "border-indigo-700 text-indigo-800"
                  : "border-transparent text-slate-700 hover:text-indigo-700"
              }`}
            >
              {tab.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
