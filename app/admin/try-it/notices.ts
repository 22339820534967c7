/**
 * What the Try it page says after a form sent the admin back to it (`?notice=`): keys only, never
 * text from the address, so a link cannot put words on an admin's page. A same-page redirect shows
 * no toast (the toaster reads its cookie when the path changes), so the page says it itself.
 */
export const tryItNotices = {
  added: { tone: "success", text: "Test callback added to the redirect URIs (recorded in History)." },
  removed: { tone: "success", text: "Test callback removed from the redirect URIs (recorded in History)." },
  conflict: {
    tone: "error",
    text: "This application changed after you opened this page. Nothing was saved: check it and try again.",
  },
  only_redirect_uri: {
    tone: "error",
    text: "The test callback is this app's only redirect URI, and the authorization code grant needs one: add the app's own on its Edit page first.",
  },
  invalid: {
    tone: "error",
    text: "The redirect URIs could not be saved: this application's settings do not pass validation. Its Edit page shows why.",
  },
  "no-code-grant": { tone: "error", text: "This application no longer has the authorization code grant." },
  "no-callback": {
    tone: "error",
    text: "The test callback is not among this application's redirect URIs (any more): add it first.",
  },
  scopes: { tone: "error", text: "One of the chosen scopes is not offered to this application. Choose again." },
} as const satisfies Record<string, { tone: "success" | "error"; text: string }>;

export type TryItNotice = keyof typeof tryItNotices;

export function tryItNotice(value: unknown): (typeof tryItNotices)[TryItNotice] | null {
  return typeof value === "string" && Object.hasOwn(tryItNotices, value) ? tryItNotices[value as TryItNotice] : null;
}

export function tryItPath(applicationId: string, notice?: TryItNotice): string {
  return `/admin/applications/${applicationId}/try-it${notice ? `?notice=${notice}` : ""}`;
}
