import { describe, expect, it } from "vitest";
import { maxActionBodyBytes, refuseByBody, refuseByHeaders } from "./request-gate.ts";

const action = {
  "next-action": "7f00",
  "content-type": "text/plain;charset=UTF-8",
  host: "auth.example",
  "content-length": "2",
};

describe("refuseByHeaders", () => {
  it("refuses methods the application does not answer", () => {
    expect(refuseByHeaders("TRACE", "/login", {}, true)).toMatchObject({ status: 405 });
    expect(refuseByHeaders("GET", "/login", {}, true)).toBeNull();
  });

  it("refuses a path whose percent-encoding is broken", () => {
    expect(refuseByHeaders("GET", "/admin/users/%E4", {}, true)).toMatchObject({ status: 400 });
    expect(refuseByHeaders("GET", "/admin/users/%C3%A9", {}, true)).toBeNull();
  });

  it("refuses a POST to a page with an RSC header (Next's client never sends one)", () => {
    const form = { "content-type": "application/x-www-form-urlencoded", rsc: "1" };
    expect(refuseByHeaders("POST", "/admin/users/x/tokens", form, true)).toMatchObject({ status: 400 });
    expect(refuseByHeaders("GET", "/admin/users", { rsc: "1" }, true)).toBeNull();
  });

  it("refuses a router state header that is not a URL-encoded JSON array, as Next's client sends", () => {
    for (const tree of ["x", "%E4", "{}", "[1"])
      expect(refuseByHeaders("GET", "/nope", { rsc: "1", "next-router-state-tree": tree }, true), tree).toMatchObject({
        status: 400,
      });
    const tree = encodeURIComponent(JSON.stringify(["", { children: ["__PAGE__", {}] }]));
    expect(refuseByHeaders("GET", "/login", { rsc: "1", "next-router-state-tree": tree }, true)).toBeNull();
  });

  it("applies Next's origin rule to server actions", () => {
    const post = (headers: Record<string, string>) =>
      refuseByHeaders("POST", "/account", { ...action, ...headers }, true);
    expect(post({})).toBeNull();
    expect(post({ origin: "https://auth.example" })).toBeNull();
    expect(post({ origin: "https://proxy.example", "x-forwarded-host": "proxy.example, auth.example" })).toBeNull();
    for (const origin of ["https://evil.example", "null", "::::", ""])
      expect(post({ origin }), origin).toMatchObject({ status: 403 });
    expect(post({ origin: "https://auth.example", host: "" })).toMatchObject({ status: 403 });
  });

  it("wants a length within Next's limit for server actions", () => {
    const { "content-length": _, ...chunked } = action;
    expect(refuseByHeaders("POST", "/account", chunked, true)).toMatchObject({ status: 411 });
    expect(
      refuseByHeaders("POST", "/account", { ...action, "content-length": String(maxActionBodyBytes + 1) }, true),
    ).toMatchObject({ status: 413 });
  });

  it("leaves route handlers and plain form posts to their handlers", () => {
    expect(
      refuseByHeaders("POST", "/api/auth/signin", { ...action, origin: "https://evil.example" }, false),
    ).toBeNull();
    const form = { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" };
    expect(refuseByHeaders("POST", "/oauth/authorize", form, true)).toBeNull();
  });
});

describe("refuseByBody", () => {
  const multipart = (body: string, boundary = "b") => ({
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    body: Buffer.from(body),
  });
  const field = (name: string, value: string) =>
    `--b\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;

  it("passes what React and browsers send", async () => {
    for (const body of ['["a",{"b":1}]', '["$$K1","$undefined",{"d":"$D2026-12-03T09:00:00.000Z"},"$n-12"]'])
      expect(await refuseByBody(action, Buffer.from(body)), body).toBeNull();
    const form = multipart(field("$ACTION_ID_7f00", "") + field("query", "x") + "--b--\r\n");
    expect(await refuseByBody(form.headers, form.body)).toBeNull();
    const reply = multipart(field("0", '["$K1"]') + field("1_email", "a@b.c") + "--b--\r\n");
    expect(await refuseByBody({ ...reply.headers, "next-action": "7f00" }, reply.body)).toBeNull();
  });

  it("refuses bodies Next cannot read", async () => {
    for (const body of [
      "{bad",
      "null",
      '{"a":1}',
      "",
      '["$F1"]',
      '[{"a":["$@1"]}]',
      '["$Q1"]',
      '["$1"]',
      '["$"]',
      '["$nx"]',
    ])
      expect(await refuseByBody(action, Buffer.from(body)), body).toMatchObject({ status: 400 });
    expect(await refuseByBody(action, Buffer.from([0x5b, 0xff, 0x5d]))).toMatchObject({ status: 400 });
    const cut = multipart(field("a", "b"));
    expect(await refuseByBody(cut.headers, cut.body)).toMatchObject({ status: 400 });
    const wrong = multipart(field("a", "b") + "--b--\r\n", "other");
    expect(await refuseByBody(wrong.headers, wrong.body)).toMatchObject({ status: 400 });
    const noArguments = multipart(field("1_a", "b") + "--b--\r\n");
    expect(await refuseByBody({ ...noArguments.headers, "next-action": "7f00" }, noArguments.body)).toMatchObject({
      status: 400,
    });
  });
});
