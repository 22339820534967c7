/**
 * Where to send someone after sign-in: only a path on this site. Anything else becomes "/".
 * Browsers drop tabs and newlines from URLs and read "\" as "/", so "/\t/evil.example" or
 * "/\evil.example" would leave the site: such characters are refused outright. What remains is
 * resolved, and the result must still be a path on this site as written: resolving dot segments
 * can turn "/.//evil.example" or "/%2e//evil.example" into "//evil.example", which a browser
 * reads as another host.
 */
const base = "http://portcullis.invalid";

/**
 * `ownOrigin`: also accept an absolute URL on this origin (next-auth hands the sign-in page its
 * callback that way), returned as a path.
 */
export function safeReturnPath(value: string | null | undefined, ownOrigin?: string): string {
  if (!value || /[\u0000-\u001f\u007f\\]/.test(value)) return "/";
  let url: URL;
  try {
    if (value.startsWith("/")) url = new URL(value, base);
    else if (ownOrigin !== undefined && new URL(value).origin === new URL(ownOrigin).origin) url = new URL(value);
    else return "/";
  } catch {
    return "/";
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  // The path as written must lead here: "//host/…" would not.
  return path.startsWith("/") && !path.startsWith("//") && new URL(path, base).origin === base ? path : "/";
}
