import Link from "next/link";
import { Logo } from "@/components/logo";
import { ScopeList } from "@/components/scope-list";
import type { ClientRecord } from "@/lib/oauth/store";
import { ConsentForm } from "./consent-form";

interface Props {
  /** Where Allow and Deny post, and the hidden fields that say what they answer. */
  action: string;
  fields: Record<string, string>;
  /** Where to come back to after signing in as someone else. */
  returnTo: string;
  user: { id: string; email: string; name: string };
  client: ClientRecord;
  scopes: { name: string; description: string; isNew: boolean }[];
}

/** The consent screen of the code flow (/oauth/authorize) and the device flow (/device). */
export function ConsentScreen({ action, fields, returnTo, user, client, scopes }: Props) {
  const links = [
    ["Website", client.homepageUri],
    ["Privacy policy", client.policyUri],
    ["Terms of service", client.tosUri],
  ].filter((link): link is [string, string] => Boolean(link[1]));
  const switchAccount = `/login?switch=1&callbackUrl=${encodeURIComponent(returnTo)}`;
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-10">
      <div className="w-full max-w-md">
        <p className="mb-4 flex items-center justify-center gap-2 text-sm font-semibold text-slate-700">
          <Logo className="size-5 text-indigo-700" />
          Portcullis
        </p>
        <section aria-labelledby="consent-title" className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
          <div className="flex items-center gap-3">
            {client.logoUri ? (
              // <img>, not next/image: an arbitrary external logo, no image optimisation wanted.
              <img
                src={client.logoUri}
                alt={`${client.name} logo`}
                data-testid="consent-app-icon"
                className="size-12 shrink-0 rounded-md border border-slate-200 object-contain"
                referrerPolicy="no-referrer"
              />
            ) : (
              <div
                aria-hidden="true"
                data-testid="consent-app-icon"
                className="flex size-12 shrink-0 items-center justify-center rounded-md bg-indigo-100 text-xl font-bold text-indigo-800"
              >
                {client.name.slice(0, 1).toUpperCase()}
              </div>
            )}
            <h1 id="consent-title" className="min-w-0 text-lg font-semibold text-slate-900 [overflow-wrap:anywhere]">
              <span data-testid="consent-app-name">{client.name}</span> wants to access your account
            </h1>
          </div>
          <p className="mt-4 text-sm text-slate-700">
            Signed in as <strong>{user.email}</strong>.{" "}
            <Link href={switchAccount} className="font-medium text-indigo-700 underline">
              Not you? Switch account
            </Link>
          </p>
          {scopes.length > 0 ? (
            <>
              <h2 className="mt-5 text-sm font-semibold text-slate-900">This will allow {client.name} to:</h2>
              <ScopeList scopes={scopes} className="mt-2 space-y-2" testId="consent-scopes" />
            </>
          ) : (
            <p className="mt-5 text-sm text-slate-800">
              {client.name} asks for basic access to your account, with no extra permissions.
            </p>
          )}
          {links.length > 0 ? (
            <p className="mt-5 flex flex-wrap gap-x-4 gap-y-1 text-sm">
              {links.map(([label, href]) => (
                <a
                  key={label}
                  href={href}
                  className="text-indigo-700 underline"
                  rel="noopener noreferrer"
                  target="_blank"
                >
                  {label}
                </a>
              ))}
            </p>
          ) : null}
          <ConsentForm action={action} fields={{ ...fields, user: user.id }} />
          <p className="mt-4 text-xs text-slate-600">
            You can revoke this access at any time from{" "}
            <Link href="/account" className="text-indigo-700 underline">
              your account
            </Link>
            .
          </p>
        </section>
      </div>
    </main>
  );
}
