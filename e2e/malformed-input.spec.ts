/**
 * Requests the fuzzer (fuzz.spec.ts) found answered with a 500, each now with the 4xx it
 * deserves; and the legitimate requests beside them still work.
 */
import { actionId, send, type FuzzRequest } from "./support/fuzz";
import { expect, test } from "./support/fixtures";
import { signedInSession } from "./support/oauth";

const boundary = "b0undary";
const multipart = (fields: Record<string, string>, close = true) =>
  Buffer.from(
    Object.entries(fields)
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join("") + (close ? `--${boundary}--\r\n` : ""),
  );
const multipartType = `multipart/form-data; boundary=${boundary}`;

async function status(origin: string, request: FuzzRequest): Promise<number> {
  const outcome = await send(origin, request, 10_000);
  if (outcome.kind === "failed") throw new Error(outcome.error);
  return outcome.status;
}

test("unknown methods get 405, on pages and route handlers alike", async ({ baseURL }) => {
  for (const target of ["/api/health", "/oauth/token", "/login", "/admin/users", "/api/auth/session"]) {
    const outcome = await send(baseURL!, { method: "TRACE", target, headers: {} }, 10_000);
    expect({ target, outcome }).toMatchObject({ target, outcome: { kind: "answered", status: 405 } });
  }
});

test("a path whose percent-encoding is broken gets 400", async ({ baseURL }) => {
  for (const target of ["/admin/applications/%E4/tokens", "/api/auth/signin/%", "/oauth/%zz"]) {
    expect({ target, status: await status(baseURL!, { method: "GET", target, headers: {} }) }).toEqual({
      target,
      status: 400,
    });
  }
});

test("a form POST asking for an RSC payload gets 400, on a page that does not exist too", async ({ baseURL }) => {
  for (const target of ["/admin/users/x/tokens", "/nope", "/login"]) {
    const request: FuzzRequest = {
      method: "POST",
      target,
      headers: { rsc: "1", "content-type": "application/x-www-form-urlencoded" },
      body: Buffer.from("a=b"),
    };
    expect({ target, status: await status(baseURL!, request) }).toEqual({ target, status: 400 });
  }
});

test("an RSC request whose router state is not Next's gets 400, on a page that does not exist too", async ({
  baseURL,
}) => {
  for (const target of ["/nothing-here", "/login"]) {
    for (const tree of ["x", "%E4", "{}", "[1"]) {
      const request: FuzzRequest = { method: "GET", target, headers: { rsc: "1", "next-router-state-tree": tree } };
      expect({ target, tree, status: await status(baseURL!, request) }).toEqual({ target, tree, status: 400 });
    }
  }
  // What Next's client sends passes the gate: Next answers it (a page or a redirect), never 400.
  const tree = encodeURIComponent(JSON.stringify(["", { children: ["login", { children: ["__PAGE__", {}] }] }]));
  const valid: FuzzRequest = { method: "GET", target: "/login", headers: { rsc: "1", "next-router-state-tree": tree } };
  expect(await status(baseURL!, valid)).toBeLessThan(400);
});

test("an authorization request posted as a form too large for a redirect's URL gets 413", async ({ baseURL }) => {
  const form = (size: number): FuzzRequest => ({
    method: "POST",
    target: "/oauth/authorize",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: Buffer.from(`state=${"a".repeat(size)}`),
  });
  expect(await status(baseURL!, form(20 * 1024))).toBe(413);
  expect(await status(baseURL!, form(1024))).toBe(303);
});

test("server actions: another origin gets 403, a broken or oversized body 400/411/413", async ({ baseURL }) => {
  const origin = baseURL!;
  const action = { "next-action": actionId("changePasswordAction"), "content-type": "text/plain;charset=UTF-8" };
  const cases: [string, FuzzRequest, number][] = [
    [
      "cross-origin fetch action",
      {
        method: "POST",
        target: "/account",
        headers: { ...action, origin: "https://evil.example" },
        body: Buffer.from("[]"),
      },
      403,
    ],
    [
      "cross-origin form post",
      {
        method: "POST",
        target: "/oauth/logout",
        headers: { origin: "https://evil.example", "content-type": multipartType },
        body: multipart({ query: "" }),
      },
      403,
    ],
    [
      "an Origin that is not a URL",
      { method: "POST", target: "/account", headers: { ...action, origin: "::::" }, body: Buffer.from("[]") },
      403,
    ],
    [
      "Origin null",
      { method: "POST", target: "/account", headers: { ...action, origin: "null" }, body: Buffer.from("[]") },
      403,
    ],
    [
      "multipart without a boundary",
      { method: "POST", target: "/login", headers: { "content-type": "multipart/form-data" }, body: Buffer.from("x") },
      400,
    ],
    [
      "multipart with a wrong boundary",
      {
        method: "POST",
        target: "/login",
        headers: { "content-type": "multipart/form-data; boundary=other" },
        body: multipart({ a: "b" }),
      },
      400,
    ],
    [
      "multipart cut short",
      {
        method: "POST",
        target: "/account",
        headers: { "content-type": multipartType },
        body: multipart({ a: "b" }, false),
      },
      400,
    ],
    [
      "fetch action whose arguments are not JSON",
      { method: "POST", target: "/account", headers: action, body: Buffer.from("{bad") },
      400,
    ],
    [
      "fetch action whose arguments are not a list",
      { method: "POST", target: "/account", headers: action, body: Buffer.from("null") },
      400,
    ],
    [
      "multipart fetch action without its arguments",
      {
        method: "POST",
        target: "/account",
        headers: { ...action, "content-type": multipartType },
        body: multipart({ "1_a": "b" }),
      },
      400,
    ],
    [
      "fetch action whose arguments are not UTF-8",
      { method: "POST", target: "/account", headers: action, body: Buffer.from([0x5b, 0xff, 0x5d]) },
      400,
    ],
    [
      "over the 1 MB limit (refused on its declared length, before the upload)",
      {
        method: "POST",
        target: "/account",
        headers: { ...action, "content-length": String(1024 * 1024 + 1) },
        body: Buffer.from("[]"),
      },
      413,
    ],
    [
      "chunked, without a length",
      {
        method: "POST",
        target: "/account",
        headers: { ...action, "transfer-encoding": "chunked" },
        body: Buffer.from("[]"),
      },
      411,
    ],
  ];
  for (const [name, request, expected] of cases) {
    expect({ name, status: await status(origin, request) }).toEqual({ name, status: expected });
  }
});

test("a same-origin form post without JavaScript still reaches its action", async ({ baseURL }) => {
  // RP-initiated logout's confirm form, signed out: the action ends no session and redirects.
  const outcome = await send(
    baseURL!,
    {
      method: "POST",
      target: "/oauth/logout",
      headers: { origin: baseURL!, "content-type": multipartType },
      body: multipart({ [`$ACTION_ID_${actionId("confirmLogout")}`]: "", query: "" }),
    },
    10_000,
  );
  expect(outcome).toMatchObject({ kind: "answered", status: 303 });
});

test("next-auth: a callbackUrl that is not a URL, an odd error code, a JSON body, a GET callback get 4xx", async ({
  baseURL,
}) => {
  const cases: [string, FuzzRequest, number][] = [
    [
      "callbackUrl not a URL",
      { method: "GET", target: "/api/auth/session?callbackUrl=%3A%3A%3A%3A", headers: {} },
      400,
    ],
    [
      "callbackUrl of odd characters",
      { method: "POST", target: "/api/auth/signin?callbackUrl=%F0%90%93%AF", headers: {} },
      400,
    ],
    [
      "callback URL cookie not a URL",
      { method: "GET", target: "/api/auth/session", headers: { cookie: "next-auth.callback-url=%25%25" } },
      400,
    ],
    [
      "callbackUrl in a form body not a URL",
      {
        method: "POST",
        target: "/api/auth/signout",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: Buffer.from("callbackUrl=opmz%239.v0O"),
      },
      400,
    ],
    ["error past Latin-1", { method: "GET", target: "/api/auth/error?error=%E4%B8%AD", headers: {} }, 400],
    ["error code in the path", { method: "GET", target: "/api/auth/error/%E4%B8%AD", headers: {} }, 400],
    [
      "JSON body",
      {
        method: "POST",
        target: "/api/auth/callback/credentials",
        headers: { "content-type": "application/json" },
        body: Buffer.from("{bad"),
      },
      415,
    ],
    ["GET on the credentials callback", { method: "GET", target: "/api/auth/callback/credentials", headers: {} }, 405],
    ["a provider path too long", { method: "POST", target: "/api/auth/signin/credentials/x", headers: {} }, 404],
  ];
  for (const [name, request, expected] of cases) {
    expect({ name, status: await status(baseURL!, request) }).toEqual({ name, status: expected });
  }
  // What next-auth's own client sends still works.
  expect(
    await status(baseURL!, { method: "GET", target: "/api/auth/session?callbackUrl=%2Faccount", headers: {} }),
  ).toBe(200);
  expect(
    await status(baseURL!, { method: "GET", target: "/api/auth/error?error=CredentialsSignin", headers: {} }),
  ).toBe(302);
});

test("server actions given arguments that are not their form's FormData answer without a 500", async ({
  baseURL,
  makeUser,
}) => {
  const origin = baseURL!;
  const user = await makeUser();
  const admin = await makeUser({ admin: true });
  const cookie = async (account: { email: string; password: string }) => {
    const session = await signedInSession(origin, account.email, account.password);
    const { cookies } = await session.storageState();
    await session.dispose();
    return cookies.map((entry) => `${entry.name}=${entry.value}`).join("; ");
  };
  const userCookie = await cookie(user);
  const adminCookie = await cookie(admin);
  const call = (target: string, name: string, args: string, session?: string) =>
    send(
      origin,
      {
        method: "POST",
        target,
        headers: {
          origin,
          "next-action": actionId(name),
          "content-type": "text/plain;charset=UTF-8",
          accept: "text/x-component",
          ...(session ? { cookie: session } : {}),
        },
        body: Buffer.from(args),
      },
      10_000,
    );
  const cases: [string, string, string, string | undefined][] = [
    ["/account/password", "changePasswordAction", '[{}, "not a form"]', userCookie],
    ["/account/password", "changePasswordAction", "[]", userCookie],
    ["/admin/users/new", "createUserAction", '[{}, {"email": "x"}]', adminCookie],
    ["/admin/applications/new", "createApplicationAction", "[{}, 1]", adminCookie],
    ["/admin/applications/new", "updateApplicationAction", '["x", {}, null]', adminCookie],
    ["/account/sessions", "endMySessionAction", '[null, "sessionId=x"]', userCookie],
    ["/oauth/logout", "confirmLogout", '[{"query": ""}]', userCookie],
  ];
  for (const [target, name, args, session] of cases) {
    const outcome = await call(target, name, args, session);
    expect({ name, args, outcome }).toMatchObject({ name, args, outcome: { kind: "answered", status: 200 } });
    if (name.endsWith("Action") && outcome.kind === "answered")
      expect(outcome.excerpt, name).toContain("The form could not be read");
  }
  // The user is still signed in: the junk logout call did not sign them out.
  const me = await send(
    origin,
    { method: "GET", target: "/api/auth/session", headers: { cookie: userCookie } },
    10_000,
  );
  expect(me).toMatchObject({ kind: "answered", excerpt: expect.stringContaining(user.email) });
});
