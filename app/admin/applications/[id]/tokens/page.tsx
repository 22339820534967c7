import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { EmptyState } from "@/components/ui/empty-state";
import { Pagination } from "@/components/ui/pagination";
import { findApplication } from "@/lib/applications/queries";
import { requestedPage, type Page } from "@/lib/pagination";
import { db } from "@/lib/db/client";
import { grantTypeInfo, isGrantType } from "@/lib/oauth/grant-types";
import {
  listAccessTokens,
  listConsents,
  listRefreshTokens,
  type ConsentRow,
  type TokenRow,
} from "@/lib/tokens/queries";
import type { PageSearchParams } from "@/lib/web/search-params";
import { requireAdmin } from "@/lib/web/session";
import { ApplicationHeader } from "../../_components/application-header";
import { RevokeAllButton, RevokeTokenButton } from "./revoke-buttons";

export const metadata: Metadata = { title: "Tokens & consents" };

const when = (date: Date | null) =>
  date ? (
    <time dateTime={date.toISOString()}>{date.toISOString().slice(0, 16).replace("T", " ")}</time>
  ) : (
    <span className="text-slate-600">—</span>
  );

/** A link to another page of one of the three lists, keeping the other lists' pages. */
function pageLink(params: PageSearchParams, param: string) {
  return (target: number) => {
    const query = new URLSearchParams(
      Object.entries(params).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    );
    query.set(param, String(target));
    return `?${query}`;
  };
}

function Table({ caption, headers, children }: { caption: string; headers: string[]; children: React.ReactNode }) {
  return (
    // Focusable, so that a keyboard can scroll the table sideways on a phone.
    <div
      role="region"
      aria-label={caption}
      tabIndex={0}
      className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm focus:outline-2 focus:outline-indigo-700"
    >
      <table className="w-full min-w-[36rem] text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-600">
          <tr>
            {headers.map((header) => (
              <th key={header} scope="col" className="px-4 py-2.5">
                {header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200">{children}</tbody>
      </table>
    </div>
  );
}

function TokenTable({
  page,
  applicationId,
  kind,
  caption,
}: {
  page: Page<TokenRow>;
  applicationId: string;
  kind: "access_token" | "refresh_token";
  caption: string;
}) {
  return (
    <Table
      caption={caption}
      headers={["User", "Scopes", kind === "access_token" ? "Grant" : "Kind", "Issued", "Expires", "Last used", ""]}
    >
      {page.items.map((token) => (
        <tr key={token.id} data-testid={`${kind}-row`}>
          <td className="px-4 py-2.5">
            {token.user?.email ?? <span className="text-slate-600">The client itself</span>}
          </td>
          <td className="px-4 py-2.5 font-mono text-xs">{token.scope || "—"}</td>
          <td className="px-4 py-2.5 text-xs">
            {token.grantType === null
              ? "refresh"
              : isGrantType(token.grantType)
                ? grantTypeInfo[token.grantType].label
                : token.grantType}
          </td>
          <td className="whitespace-nowrap px-4 py-2.5">{when(token.issuedAt)}</td>
          <td className="whitespace-nowrap px-4 py-2.5">{token.expiresAt ? when(token.expiresAt) : "Never"}</td>
          <td className="whitespace-nowrap px-4 py-2.5">{when(token.lastUsedAt)}</td>
          <td className="px-4 py-2.5 text-right">
            <RevokeTokenButton
              applicationId={applicationId}
              kind={kind}
              tokenId={token.id}
              label={`${kind === "access_token" ? "access" : "refresh"} token of ${token.user?.email ?? "the client"} issued ${token.issuedAt.toISOString()}`}
            />
          </td>
        </tr>
      ))}
    </Table>
  );
}

function ConsentTable({ page }: { page: Page<ConsentRow> }) {
  return (
    <Table caption="Consents" headers={["User", "Scopes", "Granted", "Expires", "Last used"]}>
      {page.items.map((consent) => (
        <tr key={consent.id} data-testid="consent-row">
          <td className="px-4 py-2.5">{consent.user.email}</td>
          <td className="px-4 py-2.5 font-mono text-xs">{consent.scope || "—"}</td>
          <td className="whitespace-nowrap px-4 py-2.5">{when(consent.grantedAt)}</td>
          <td className="whitespace-nowrap px-4 py-2.5">{when(consent.expiresAt)}</td>
          <td className="whitespace-nowrap px-4 py-2.5">{when(consent.lastUsedAt)}</td>
        </tr>
      ))}
    </Table>
  );
}

export default async function TokensPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<PageSearchParams>;
}) {
  await requireAdmin();
  const { id } = await params;
  const query = await searchParams;
  const app = await findApplication(db(), id);
  if (!app) notFound();
  // Each list's total is the count of live rows the stat cards show: counted once, not twice.
  const [access, refresh, consents] = await Promise.all([
    listAccessTokens(db(), id, requestedPage(query["access"])),
    listRefreshTokens(db(), id, requestedPage(query["refresh"])),
    listConsents(db(), id, requestedPage(query["consents"])),
  ]);
  const counts = { accessTokens: access.total, refreshTokens: refresh.total, consents: consents.total };
  const stats = [
    ["Active access tokens", counts.accessTokens],
    ["Active refresh tokens", counts.refreshTokens],
    ["Consents", counts.consents],
  ] as const;
  return (
    <>
      <ApplicationHeader app={app} tab="Tokens & consents" />
      <div className="mb-6 flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
        <dl className="grid flex-1 grid-cols-3 gap-3">
          {stats.map(([label, value]) => (
            <div key={label} className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
              <dt className="text-xs font-medium text-slate-600">{label}</dt>
              <dd
                className="mt-1 text-2xl font-semibold text-slate-900"
                data-testid={`count-${label.toLowerCase().replace(/\s+/g, "-")}`}
              >
                {value}
              </dd>
            </div>
          ))}
        </dl>
        <RevokeAllButton
          applicationId={app.id}
          name={app.name}
          accessTokens={counts.accessTokens}
          refreshTokens={counts.refreshTokens}
        />
      </div>
      <section aria-labelledby="access-title" className="mb-8">
        <h2 id="access-title" className="mb-2 text-base font-semibold">
          Access tokens
        </h2>
        {access.total === 0 ? (
          <EmptyState title="No active access tokens" />
        ) : (
          <TokenTable page={access} applicationId={app.id} kind="access_token" caption="Active access tokens" />
        )}
        <Pagination page={access} hrefFor={pageLink(query, "access")} label="Access tokens pages" showRange={false} />
      </section>
      <section aria-labelledby="refresh-title" className="mb-8">
        <h2 id="refresh-title" className="mb-2 text-base font-semibold">
          Refresh tokens
        </h2>
        {refresh.total === 0 ? (
          <EmptyState title="No active refresh tokens" />
        ) : (
          <TokenTable page={refresh} applicationId={app.id} kind="refresh_token" caption="Active refresh tokens" />
        )}
        <Pagination
          page={refresh}
          hrefFor={pageLink(query, "refresh")}
          label="Refresh tokens pages"
          showRange={false}
        />
      </section>
      <section aria-labelledby="consents-title">
        <h2 id="consents-title" className="mb-2 text-base font-semibold">
          Consents
        </h2>
        {consents.total === 0 ? (
          <EmptyState title="No consents">Users who approve this application appear here.</EmptyState>
        ) : (
          <ConsentTable page={consents} />
        )}
        <Pagination page={consents} hrefFor={pageLink(query, "consents")} label="Consents pages" showRange={false} />
      </section>
    </>
  );
}
