/**
 * Where to send someone after sign-in: only a path on this site. Anything else becomes "/".
 * Browsers drop tabs and newlines from URLs and read "\" as "/", so "/\t/evil.example" or
 * "/\evil.example" would leave the site: such characters are refused outright, and what remains
 * must resolve to this origin.
 */
const base = "http://portcullis.invalid";

export function safeReturnPath(value: string | null | undefined): string {
  if (!value || !value.startsWith("/") || /[\u0000-\u001f\u007f\\]/.test(value)) return "/";
  try {
    const url = new URL(value, base);
    return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : "/";
  } catch {
    return "/";
  }
}
