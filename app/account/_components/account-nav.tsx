"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const items = [
  { href: "/account", label: "Connected apps" },
  { href: "/account/sessions", label: "Sessions" },
  { href: "/account/password", label: "Password" },
];

export function AccountNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Account" className="mb-6 flex gap-1 border-b border-slate-200 text-sm font-medium">
      {items.map((item) => {
        const current = pathname === item.href;
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={current ? "page" : undefined}
            className={`-mb-px border-b-2 px-3 py-2 ${current ? "border-indigo-700 text-indigo-800" : "border-transparent text-slate-700 hover:text-indigo-700"}`}
          >
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}
