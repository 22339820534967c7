/**
 * The HTTP fuzzer's parts (e2e/fuzz.spec.ts): a fast-check model of requests to every endpoint,
 * page and server action, a sender that puts them on the wire exactly as generated, and a
 * reproducing curl command for each one.
 *
 * Requests go out through node:http rather than Playwright's request API: it sends any method
 * (TRACE included), raw query strings and bytes, any Host, and keeps no cookie jar, so each request
 * is exactly what the model says and nothing a previous answer set.
 */
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import path from "node:path";
import fc from "fast-check";

export interface FuzzRequest {
  method: string;
  /** Path and raw query, as sent on the request line. */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface FuzzTargets {
  origin: string;
  /** Cookie headers of a signed-in user and a signed-in admin (never the shared admin). */
  sessions: { user: string; admin: string };
  /** Ids of real rows the pages and actions may be asked about. */
  ids: string[];
  /** The production build's server action ids. */
  actionIds: string[];
}

export interface BuiltAction {
  id: string;
  /** The exported function's name, e.g. confirmLogout. */
  name: string;
}

/** Every server action of the build the test servers run (Next's server reference manifest). */
export function buildActions(root = path.resolve(import.meta.dirname, "../..")): BuiltAction[] {
  const manifest = JSON.parse(readFileSync(path.join(root, ".next/server/server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { exportedName: string }>;
  };
  return Object.entries(manifest.node)
    .map(([id, entry]) => ({ id, name: entry.exportedName }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** A server action's id by its exported name. */
export function actionId(name: string): string {
  const action = buildActions().find((entry) => entry.name === name);
  if (!action) throw new Error(`no server action named ${name} in the build`);
  return action.id;
}

const endpoints = [
  "/oauth/token",
  "/oauth/device_authorization",
  "/device/verify",
  "/device/decision",
  "/admin/try-it/start",
  "/reset-password/set",
  "/admin/audit/export",
  "/oauth/revoke",
  "/oauth/introspect",
  "/oauth/userinfo",
  "/oauth/jwks",
  "/.well-known/openid-configuration",
  "/.well-known/oauth-authorization-server",
  "/api/health",
  "/api/auth/signin",
  "/api/auth/signin/credentials",
  "/api/auth/signout",
  "/api/auth/session",
  "/api/auth/csrf",
  "/api/auth/providers",
  "/api/auth/callback/credentials",
  "/api/auth/error",
  "/api/auth/_log",
];

const pages = [
  "/",
  "/login",
  "/admin",
  "/admin/applications",
  "/admin/applications/new",
  "/admin/audit",
  "/admin/failures",
  "/admin/users",
  "/admin/users/new",
  "/admin/try-it/callback",
  "/admin/scopes",
  "/admin/scopes/new",
  "/account",
  "/account/password",
  "/oauth/authorize",
  "/oauth/logout",
  "/device",
  "/device/authorize",
  "/device/done",
  "/reset-password",
];

const recordPages = ["/admin/applications/", "/admin/users/", "/admin/scopes/"];
const recordSubpages = ["", "/edit", "/history", "/tokens", "/usage", "/try-it", "/secret"];

const methods = ["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "TRACE"];

const paramNames = [
  "callbackUrl",
  "error",
  "csrfToken",
  "email",
  "password",
  "json",
  "client_id",
  "client_secret",
  "redirect_uri",
  "response_type",
  "response_mode",
  "scope",
  "state",
  "nonce",
  "prompt",
  "max_age",
  "code",
  "code_challenge",
  "code_challenge_method",
  "code_verifier",
  "grant_type",
  "refresh_token",
  "token",
  "token_type_hint",
  "access_token",
  "username",
  "id_token_hint",
  "post_logout_redirect_uri",
  "done",
  "request",
  "q",
  "page",
  "sort",
  "order",
  "filter",
  "grant",
  "type",
  "action",
  "user",
  "application",
  "from",
  "to",
  "query",
  "decision",
  "currentPassword",
  "newPassword",
  "confirmPassword",
  "name",
  "admin",
  "device_code",
  "user_code",
  "outcome",
  "problem",
  "retry",
  "secret",
  "notice",
  "response",
  "iss",
  "days",
  "app",
  "dir",
  "format",
  "_version",
  "_seen",
];

/** Values that have broken servers before: odd URLs, encodings, sizes, characters. */
const nastyStrings = [
  "",
  " ",
  "::::",
  "%",
  "%%",
  "%zz",
  "%E4",
  "%C3%28",
  "%00",
  "\u0000",
  "\uFFFF",
  "\uD800",
  "中文",
  "été",
  "😀",
  "javascript:alert(1)",
  "//evil.example",
  "https://evil.example/cb",
  "http://127.0.0.1/callback",
  "http://[::1",
  "http://",
  "/",
  "/admin",
  "\\\\evil.example",
  "null",
  "undefined",
  "true",
  "-1",
  "1e309",
  "9999999999999999999999",
  "[]",
  "{}",
  '{"a":',
  "$K1",
  "$Q1",
  "$@1",
  "$undefined",
  "a".repeat(5000),
  "fuzz-someone@example.com",
  // A well-formed password reset token that was never issued.
  `pcp_${"A".repeat(43)}`,
  "openid profile email",
  "Basic",
  "S256",
  "code",
  "authorization_code",
  "refresh_token",
  "client_credentials",
  "password",
  "allow",
  "urn:ietf:params:oauth:grant-type:device_code",
  "BCDF-GHJK",
];

const text = (ids: string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...nastyStrings) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
    { weight: 1, arbitrary: fc.constantFrom(...ids) },
  );

/** Percent-encoding that survives lone surrogates (encodeURIComponent throws on them). */
const encode = (value: string) => encodeURIComponent(value.replace(/[\uD800-\uDFFF]/gu, "\uFFFD"));

/** A query string: encoded names and values, sometimes raw (broken percent-encodings kept). */
const queryString = (ids: string[]) =>
  fc
    .array(
      fc.tuple(
        fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...paramNames) }, fc.string({ maxLength: 8 })),
        text(ids),
        fc.boolean(),
      ),
      { maxLength: 5 },
    )
    .map((pairs) =>
      pairs
        .map(([name, value, raw]) =>
          raw && /^[\x21-\x7e]*$/.test(value) && !value.includes("#")
            ? `${encode(name)}=${value}`
            : `${encode(name)}=${encode(value)}`,
        )
        .join("&"),
    );

const pathArb = (ids: string[], actionIds: string[]) =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...endpoints) },
    { weight: 5, arbitrary: fc.constantFrom(...pages) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...recordPages),
          fc.oneof(fc.constantFrom(...ids), fc.constantFrom("%00", "x", "..", "%E4", "a".repeat(300))),
          fc.constantFrom(...recordSubpages),
        )
        .map(([prefix, id, sub]) => `${prefix}${id}${sub}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom("/api/auth/signin/", "/api/auth/callback/", "/api/auth/", "/oauth/", "/"),
          fc.oneof(
            fc.constantFrom("%00", "%E4", "nope", "credentials/x", "..%2f..", "%", "a".repeat(300), ...actionIds),
            fc.string({ maxLength: 10 }).map(encode),
          ),
        )
        .map(([prefix, rest]) => prefix + rest),
    },
  );

const printable = fc.string({ unit: fc.constantFrom(..."abcXYZ019 -_.,;:=/\"'()<>@[]{}?%*!$#\\"), maxLength: 40 });

const token = fc.string({ unit: fc.constantFrom(..."abcdefABCDEF0123456789_-.~+/="), maxLength: 60 });

/** Mostly absent: each request carries a few of the headers below, not all of them. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, weight = 1) =>
  fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight, arbitrary });

const headerSets = (targets: FuzzTargets) => {
  const host = new URL(targets.origin).host;
  return fc
    .record({
      origin: sometimes(
        fc.oneof(
          { weight: 3, arbitrary: fc.constant(targets.origin) },
          fc.constantFrom("https://evil.example", "null", "::::", "", "http://[::1", `http://${host}.evil.example`),
          printable,
        ),
        3,
      ),
      "next-action": sometimes(
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...targets.actionIds) },
          fc.constantFrom("", "x", "00".repeat(21), "7f".repeat(21), "$ACTION", "a".repeat(5000)),
          token,
        ),
        3,
      ),
      authorization: sometimes(
        fc.oneof(
          fc.constantFrom("Basic", "Basic ", "Basic %%%", "Basic Og==", "Bearer", "Bearer pca_x", "Digest x"),
          token.map((value) => `Basic ${value}`),
          token.map((value) => `Bearer ${value}`),
          printable,
        ),
      ),
      cookie: sometimes(
        fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(targets.sessions.user, targets.sessions.admin) },
          fc.constantFrom("next-auth.session-token=garbage", "next-auth.csrf-token=a%7Cb", "=;=;", "a=%E4"),
        ),
        4,
      ),
      host: sometimes(fc.constantFrom("evil.example", "localhost", "", "[::1]", "a".repeat(300), "x y")),
      "x-forwarded-host": sometimes(fc.constantFrom("evil.example", host, "", "a, b", "[::1")),
      "x-forwarded-proto": sometimes(fc.constantFrom("https", "gopher", "")),
      accept: sometimes(fc.constantFrom("text/x-component", "application/json", "*/*", "text/html", "")),
      rsc: sometimes(fc.constantFrom("1", "0", "x")),
      "next-router-state-tree": sometimes(fc.constantFrom("%5B%5D", "[", "%E4", "x")),
      "next-router-prefetch": sometimes(fc.constantFrom("1", "x")),
      "content-length": sometimes(fc.constantFrom("0", "-1", "abc", "99999999999")),
      "transfer-encoding": sometimes(fc.constant("chunked")),
    })
    .map(
      (headers) =>
        Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== undefined)) as Record<
          string,
          string
        >,
    );
};

interface Body {
  type?: string;
  body: Buffer;
}

const boundary = "fuzzBoundary7MA4YWxkTrZu0gW";

function multipart(parts: [string, string][], close = true): Buffer {
  const chunks = parts.map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return Buffer.from(chunks.join("") + (close ? `--${boundary}--\r\n` : ""));
}

const jsonValue = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  fc.constantFrom("$K1", "$Q1", "$W1", "$@1", "$D2020", "$n1", "$undefined", "$T", "$h1", "$F1", "$B1", "$Infinity"),
);

const actionArgs = fc.array(jsonValue, { maxLength: 4 }).map((args) => JSON.stringify(args));

const formFields = (ids: string[]) => fc.array(fc.tuple(fc.constantFrom(...paramNames), text(ids)), { maxLength: 5 });

const bodyArb = (targets: FuzzTargets): fc.Arbitrary<Body> =>
  fc.oneof(
    // application/x-www-form-urlencoded, well formed or not.
    formFields(targets.ids).map((fields) => ({
      type: "application/x-www-form-urlencoded",
      body: Buffer.from(new URLSearchParams(fields).toString()),
    })),
    text(targets.ids).map((raw) => ({ type: "application/x-www-form-urlencoded", body: Buffer.from(raw) })),
    // JSON, valid or broken.
    fc
      .jsonValue({ maxDepth: 3 })
      .map((value) => ({ type: "application/json", body: Buffer.from(JSON.stringify(value)) })),
    fc.constantFrom("{bad", "[", '{"a":1', "").map((raw) => ({ type: "application/json", body: Buffer.from(raw) })),
    // A fetch action's arguments (React's encodeReply as text).
    actionArgs.map((args) => ({ type: "text/plain;charset=UTF-8", body: Buffer.from(args) })),
    // A fetch action's arguments as multipart: "0" holds the arguments, "1_…" a FormData argument's entries.
    fc.tuple(actionArgs, formFields(targets.ids)).map(([args, fields]) => ({
      type: `multipart/form-data; boundary=${boundary}`,
      body: multipart([["0", args], ...fields.map(([name, value]): [string, string] => [`1_${name}`, value])]),
    })),
    // A form posted without JavaScript: the action id as a field (real or not), with the form's fields.
    fc
      .tuple(
        fc.oneof(fc.constantFrom(...targets.actionIds), token),
        formFields(targets.ids),
        fc.boolean(),
        fc.option(jsonValue.map((value) => JSON.stringify(value))),
      )
      .map(([id, fields, close, bound]) => ({
        type: `multipart/form-data; boundary=${boundary}`,
        body: multipart(
          bound === null
            ? [[`$ACTION_ID_${id}`, ""], ...fields]
            : [["$ACTION_REF_1", ""], ["$ACTION_1:0", JSON.stringify({ id, bound })], ["$ACTION_1:1", "[]"], ...fields],
          close,
        ),
      })),
    // Broken multipart: garbage, wrong or missing boundary.
    fc
      .tuple(
        fc.constantFrom(
          `multipart/form-data; boundary=${boundary}`,
          "multipart/form-data",
          "multipart/form-data; boundary=",
          "multipart/form-data; boundary=other",
          'multipart/form-data; boundary="unterminated',
        ),
        fc.oneof(
          fc.constantFrom("garbage", `--${boundary}\r\n`, `--${boundary}\r\nContent-Disposition: x\r\n\r\n`, ""),
          fc.string({ maxLength: 80 }),
        ),
      )
      .map(([type, raw]) => ({ type, body: Buffer.from(raw) })),
    // Non-UTF-8 bytes under a text type.
    fc
      .tuple(
        fc.constantFrom("application/x-www-form-urlencoded", "text/plain;charset=UTF-8", "application/json"),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
      )
      .map(([type, bytes]) => ({ type, body: Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(bytes)]) })),
    // Huge: past every body limit (the protocol's 16 KiB, server actions' 1 MB).
    fc.constantFrom(20 * 1024, 1024 * 1024 + 10, 3 * 1024 * 1024).chain((size) =>
      fc
        .constantFrom(
          "application/x-www-form-urlencoded",
          "text/plain;charset=UTF-8",
          `multipart/form-data; boundary=${boundary}`,
        )
        .map((type) => ({
          type,
          body: type.startsWith("multipart")
            ? multipart([["0", `["${"a".repeat(size)}"]`]])
            : Buffer.from(type.startsWith("text") ? `["${"a".repeat(size)}"]` : `token=${"a".repeat(size)}`),
        })),
    ),
    // Any type at all on any body.
    fc.tuple(printable, fc.uint8Array({ maxLength: 64 })).map(([type, bytes]) => ({ type, body: Buffer.from(bytes) })),
  );

/** Requests to every endpoint, page and server action. */
export function fuzzRequests(targets: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      method: fc.oneof({ weight: 6, arbitrary: fc.constantFrom("GET", "POST") }, fc.constantFrom(...methods)),
      path: pathArb(targets.ids, targets.actionIds),
      query: fc.option(queryString(targets.ids), { freq: 2 }),
      headers: headerSets(targets),
      body: fc.option(bodyArb(targets), { freq: 4 }),
      typeMatchesBody: fc.boolean(),
    })
    .map(({ method, path, query, headers, body, typeMatchesBody }) => {
      const sent: Record<string, string> = { ...headers };
      if (body?.type && (typeMatchesBody || !("content-type" in sent))) sent["content-type"] = body.type;
      // A length the body does not have would only make the server wait for the rest.
      if ("content-length" in sent && (body || sent["content-length"] !== "0")) delete sent["content-length"];
      if (sent["transfer-encoding"] && !body) delete sent["transfer-encoding"];
      return { method, target: query === null ? path : `${path}?${query}`, headers: sent, body: body?.body };
    });
}

export type Outcome =
  { kind: "answered"; status: number; ms: number; excerpt: string } | { kind: "failed"; error: string; ms: number };

/** Sends one request and waits for its whole answer, at most `timeoutMs`. */
export function send(origin: string, request: FuzzRequest, timeoutMs: number): Promise<Outcome> {
  const started = Date.now();
  const url = new URL(origin);
  return new Promise((resolve) => {
    let status: number | undefined;
    const chunks: Buffer[] = [];
    const finish = (outcome: Outcome) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    const headers = { ...request.headers };
    const chunked = headers["transfer-encoding"] === "chunked";
    if (request.body && !chunked && !("content-length" in headers))
      headers["content-length"] = String(request.body.length);
    let req: ReturnType<typeof httpRequest>;
    try {
      req = httpRequest({
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.target,
        headers,
        agent: false,
        setHost: !("host" in headers),
      });
    } catch (error) {
      resolve({ kind: "failed", error: `could not send: ${String(error)}`, ms: 0 });
      return;
    }
    const timer = setTimeout(() => {
      req.destroy();
      finish({ kind: "failed", error: `no answer within ${timeoutMs} ms`, ms: Date.now() - started });
    }, timeoutMs);
    req.on("response", (response) => {
      status = response.statusCode ?? 0;
      response.on("data", (chunk: Buffer) => {
        if (chunks.length < 4) chunks.push(chunk);
      });
      const done = () =>
        finish({
          kind: "answered",
          status: status!,
          ms: Date.now() - started,
          excerpt: Buffer.concat(chunks).toString("utf8").slice(0, 300),
        });
      response.on("end", done);
      // A server may close the connection once it has answered (an oversized upload).
      response.on("error", done);
      response.on("aborted", done);
    });
    req.on("error", (error) => {
      if (status !== undefined) return;
      // Refusing an upload past the body limit by answering and closing is fine; the client may
      // see the close while still sending, before it reads the answer.
      const code = (error as NodeJS.ErrnoException).code;
      if ((request.body?.length ?? 0) > 64 * 1024 && (code === "EPIPE" || code === "ECONNRESET"))
        return finish({ kind: "answered", status: 0, ms: Date.now() - started, excerpt: `closed: ${code}` });
      finish({
        kind: "failed",
        error: `connection error before any answer: ${error.message}`,
        ms: Date.now() - started,
      });
    });
    if (request.body) req.end(request.body);
    else req.end();
  });
}

const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** A curl command that sends the same request (`sessions` name the session cookies instead of spelling them). */
export function curl(origin: string, request: FuzzRequest, sessions: Record<string, string> = {}): string {
  const parts = ["curl -i", "-X", request.method, shellQuote(origin + request.target), "--path-as-is"];
  for (const [name, value] of Object.entries(request.headers)) {
    const session = Object.entries(sessions).find(([, cookie]) => cookie === value)?.[0];
    parts.push("-H", session ? `"cookie: $${session.toUpperCase()}_SESSION"` : shellQuote(`${name}: ${value}`));
  }
  if (request.body) {
    const text = request.body.toString("utf8");
    const printable = Buffer.from(text, "utf8").equals(request.body) && request.body.length <= 2000;
    if (printable) parts.push("--data-binary", shellQuote(text));
    else if (request.body.length <= 2000)
      parts.push("--data-binary", `@<(printf %s ${shellQuote(request.body.toString("base64"))} | base64 -d)`);
    else
      parts.push(
        "--data-binary",
        `@<(head -c ${request.body.length} /dev/zero | tr '\\0' a)`,
        `# (${request.body.length} bytes; starts ${JSON.stringify(request.body.subarray(0, 80).toString("latin1"))})`,
      );
  }
  return parts.join(" ");
}
