/**
 * The deployer's extensions (portcullis.config.ts) on real, migrated SQLite and PostgreSQL: the
 * example config (examples/team-apps) through the same functions the dashboard, the CLI, the
 * authorize page and the token, userinfo and introspection endpoints call.
 */
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import teamApps from "../../examples/team-apps/portcullis.config.ts";
import { createApplication, updateApplication } from "@/lib/applications/commands";
import { findApplication, listApplications, listQueryFrom } from "@/lib/applications/queries";
import { listAuditEvents } from "@/lib/audit/queries";
import { recordAudit, systemActor } from "@/lib/audit/record";
import { runCli } from "@/lib/cli/cli";
import type { Db } from "@/lib/db/client";
import { prismaOAuthStore } from "@/lib/db/oauth-store";
import { useExtensions } from "@/lib/extensions/active";
import { defineConfig } from "@/lib/extensions/define";
import { policyFrom } from "@/lib/extensions/policy";
import { approve, decide, validateAuthorizationRequest, type SignedInUser } from "@/lib/oauth/authorize";
import type { ProtocolContext } from "@/lib/oauth/context";
import { OAuthError } from "@/lib/oauth/errors";
import { handleIntrospection } from "@/lib/oauth/introspect";
import { ensureSigningKey } from "@/lib/oauth/oidc/keys";
import { parseParams } from "@/lib/oauth/params";
import { s256 } from "@/lib/oauth/pkce";
import { handleTokenRequest } from "@/lib/oauth/token";
import { handleUserinfo } from "@/lib/oauth/userinfo";
import { createUser } from "@/lib/users/commands";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";
import { testCipher, testProtocol } from "../support/protocol.ts";

const redirectUri = "http://127.0.0.1/callback";
const verifier = "v".repeat(43);

describe.each(providers)("deployer extensions on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;
  let insider: SignedInUser & { email: string };
  let outsider: SignedInUser & { email: string };

  function context(config = teamApps): ProtocolContext {
    return {
      ...testProtocol(db),
      policy: policyFrom(config, {
        async onRefused({ client, user, message }) {
          await recordAudit(
            db,
            { kind: "user", id: user.id, email: user.email },
            {
              action: "authorization.refused",
              applicationId: client.id,
              targetUserId: user.id,
              details: { reason: message },
            },
          );
        },
      }),
    };
  }

  async function app(raw: Record<string, unknown>) {
    const created = await createApplication(db, raw, systemActor);
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    return { ...created.application, clientSecret: created.clientSecret! };
  }

  const web = (overrides: Record<string, unknown> = {}) =>
    app({
      name: "Ledger",
      clientType: "confidential",
      grantTypes: ["authorization_code", "refresh_token"],
      redirectUris: [redirectUri],
      algorithm: "RS256",
      "fields.team": "payments",
      ...overrides,
    });

  async function tokenRequest(ctx: ProtocolContext, client: { clientId: string; clientSecret: string }, form: object) {
    const params = parseParams(
      new URLSearchParams({ ...form, client_id: client.clientId, client_secret: client.clientSecret }),
    );
    return handleTokenRequest(ctx, params, null);
  }

  async function failure(run: () => Promise<unknown>): Promise<string> {
    try {
      await run();
    } catch (error) {
      if (error instanceof OAuthError) return `${error.code}: ${error.description}`;
      throw error;
    }
    return "no error";
  }

  async function authorizationRequest(ctx: ProtocolContext, clientId: string) {
    const validation = await validateAuthorizationRequest(
      ctx,
      new URLSearchParams({
        response_type: "code",
        client_id: clientId,
        redirect_uri: redirectUri,
        scope: "openid email",
        state: "s",
        code_challenge: s256(verifier),
        code_challenge_method: "S256",
      }),
    );
    if (!validation.ok) throw new Error(`refused: ${JSON.stringify(validation)}`);
    return validation.request;
  }

  beforeAll(async () => {
    useExtensions(teamApps);
    t = await freshDatabase(provider);
    db = t.db;
    for (const [email, role] of [
      ["ines@example.com", "insider"],
      ["otto@partner.test", "outsider"],
    ] as const) {
      const created = await createUser(db, { email, password: "long-password-1" }, systemActor);
      if (!created.ok) throw new Error(JSON.stringify(created.errors));
      const user = { id: created.user.id, email, authTime: new Date() };
      if (role === "insider") insider = user;
      else outsider = user;
    }
    await ensureSigningKey(prismaOAuthStore(db), testCipher, new Date());
  });
  afterAll(async () => {
    useExtensions({});
    await t?.drop();
  });

  describe("custom fields", () => {
    it("are validated by the schema their declaration builds, each error under its field", async () => {
      const missing = await createApplication(
        db,
        { name: "No team", clientType: "confidential", grantTypes: ["client_credentials"] },
        systemActor,
      );
      expect(missing.ok).toBe(false);
      if (!missing.ok) expect(missing.errors["fields.team"]).toEqual(["Choose one of the options"]);

      const wrong = await createApplication(
        db,
        { name: "Bad team", clientType: "confidential", grantTypes: ["client_credentials"], "fields.team": "sales" },
        systemActor,
      );
      expect(wrong.ok).toBe(false);
      if (!wrong.ok) expect(Object.keys(wrong.errors)).toEqual(["fields.team"]);
    });

    it("are stored in the metadata column and read back typed, defaults filled", async () => {
      const created = await web({ "fields.internal": "on" });
      expect(created.fields).toEqual({ team: "payments", internal: true, machineClient: false });
      expect((await findApplication(db, created.id))!.fields).toEqual(created.fields);
      const client = await prismaOAuthStore(db).findClient(created.clientId);
      expect(client!.metadata).toEqual({ team: "payments", internal: true, machineClient: false });
    });

    it("run the deployer's registration rules, with the message beside the field", async () => {
      const result = await createApplication(
        db,
        {
          name: "Public internal",
          clientType: "public",
          grantTypes: ["authorization_code"],
          redirectUris: [redirectUri],
          "fields.team": "search",
          "fields.internal": true,
        },
        systemActor,
      );
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors).toEqual({ clientType: ["Internal applications must be confidential"] });
    });

    it("are audited field by field with their labels, and a field dropped from the config keeps its value", async () => {
      const withLegacy = defineConfig({
        applicationFields: {
          ...teamApps.applicationFields,
          costCentre: { type: "text", label: "Cost centre" },
        },
      });
      useExtensions(withLegacy);
      const created = await web({ name: "Kept", "fields.costCentre": "CC-42" });
      // The config no longer declares costCentre: an edit must not lose it.
      useExtensions(teamApps);
      const updated = await updateApplication(
        db,
        created.id,
        {
          name: "Kept",
          clientType: "confidential",
          grantTypes: ["authorization_code", "refresh_token"],
          redirectUris: [redirectUri],
          algorithm: "RS256",
          "fields.team": "search",
        },
        systemActor,
      );
      expect(updated.ok).toBe(true);
      const row = await db.application.findUniqueOrThrow({ where: { id: created.id }, select: { metadata: true } });
      expect(row.metadata).toEqual({ team: "search", internal: false, machineClient: false, costCentre: "CC-42" });

      const [entry] = (await listAuditEvents(db, { applicationId: created.id, action: "application.updated" })).items;
      expect(entry!.details).toContainEqual({ kind: "change", label: "Team", from: "payments", to: "search" });
    });

    it("filter the applications list", async () => {
      const platform = await web({ name: "Platform internal", "fields.team": "platform", "fields.internal": true });
      await web({ name: "Platform public", "fields.team": "platform" });
      const byTeam = await listApplications(db, listQueryFrom({ "fields.team": "platform", "fields.internal": "yes" }));
      expect(byTeam.items.map((item) => item.id)).toEqual([platform.id]);
      expect(byTeam.items[0]!.fields.team).toBe("platform");
      // An option the field does not offer is ignored, not an error.
      expect(listQueryFrom({ "fields.team": "' OR 1=1 --" }).fields).toEqual({});
    });

    it("are set from the CLI with --field and shown in --json", async () => {
      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (line: string) => out.push(line), err: (line: string) => err.push(line) };
      const args = ["create-application", "--name", "Batch", "--client-type", "confidential"];
      const code = await runCli(
        db,
        [
          ...args,
          "--grant-types",
          "client_credentials",
          "--field",
          "team=search",
          "--field",
          "machineClient=true",
          "--json",
        ],
        io,
      );
      expect(err).toEqual([]);
      expect(code).toBe(0);
      expect(JSON.parse(out[0]!).fields).toEqual({ team: "search", internal: false, machineClient: true });

      expect(await runCli(db, [...args, "--grant-types", "client_credentials", "--json"], io)).toBe(1);
      expect(JSON.parse(err.at(-1)!)).toEqual({ errors: { "--field team": ["Choose one of the options"] } });
      expect(await runCli(db, [...args, "--field", "colour=red"], io)).toBe(2);
      expect(err.at(-1)).toMatch(/--field takes key=value with a custom field's key \(team, internal, machineClient\)/);
    });
  });

  describe("policy hooks", () => {
    it("allowsGrantType: client credentials only for machine clients", async () => {
      const ctx = context();
      const service = await web({ name: "Service", grantTypes: ["client_credentials"], "fields.machineClient": false });
      expect(await failure(() => tokenRequest(ctx, service, { grant_type: "client_credentials" }))).toBe(
        "unauthorized_client: This client is not allowed the client_credentials grant",
      );
      const machine = await web({ name: "Machine", grantTypes: ["client_credentials"], "fields.machineClient": true });
      const issued = await tokenRequest(ctx, machine, { grant_type: "client_credentials" });
      expect(issued.response.access_token).toMatch(/^pca_/);
      // Without the policy the registration alone decides.
      expect(
        (await tokenRequest(testProtocol(db), service, { grant_type: "client_credentials" })).response.access_token,
      ).toMatch(/^pca_/);
    });

    it("mayAuthorize: an internal app refuses outsiders with access_denied and the hook's message, and audits it", async () => {
      const ctx = context();
      const internal = await web({ name: "Payroll", "fields.internal": true });
      const request = await authorizationRequest(ctx, internal.clientId);
      const refused = await decide(ctx, request, outsider);
      expect(refused.kind).toBe("redirect");
      const location = new URL((refused as { location: string }).location);
      expect(location.searchParams.get("error")).toBe("access_denied");
      expect(location.searchParams.get("error_description")).toBe("Payroll is for example.com staff only");
      expect(location.searchParams.get("state")).toBe("s");
      // Allow on a consent screen cannot get past it either.
      const viaAllow = new URL(await approve(ctx, request, outsider, { consented: true }));
      expect(viaAllow.searchParams.get("error")).toBe("access_denied");
      expect(viaAllow.searchParams.get("code")).toBeNull();
      const audit = await listAuditEvents(db, { action: "authorization.refused", applicationId: internal.id });
      expect(audit.items[0]!.details).toContainEqual({
        kind: "value",
        label: "Reason",
        value: "Payroll is for example.com staff only",
      });

      expect((await decide(ctx, request, insider)).kind).toBe("consent");
    });

    it("claims: the team claim in ID tokens, userinfo and introspection; reserved claims stay the server's", async () => {
      const overreaching = defineConfig({
        ...teamApps,
        hooks: {
          ...teamApps.hooks,
          claims: ({ application }) => ({ team: application.fields.team, sub: "forged", email: "x@y" }),
        },
      });
      const ctx = context(overreaching as typeof teamApps);
      const client = await web({ name: "Claims" });
      const request = await authorizationRequest(ctx, client.clientId);
      const code = new URL(await approve(ctx, request, insider, { consented: true })).searchParams.get("code")!;
      const { response } = await tokenRequest(ctx, client, {
        grant_type: "authorization_code",
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      });
      const idToken = decodeJwt(response.id_token!);
      expect(idToken.team).toBe("payments");
      expect(idToken.sub).toBe(insider.id);
      expect(idToken.email).toBe(insider.email);

      const userinfo = await handleUserinfo(ctx, parseParams(new URLSearchParams()), `Bearer ${response.access_token}`);
      expect(userinfo.claims).toMatchObject({ team: "payments", sub: insider.id, email: insider.email });

      const introspected = await handleIntrospection(
        ctx,
        parseParams(
          new URLSearchParams({
            token: response.access_token,
            client_id: client.clientId,
            client_secret: client.clientSecret,
          }),
        ),
        null,
      );
      expect(introspected.response).toMatchObject({ active: true, team: "payments", sub: insider.id });
    });

    it("a hook that throws is server_error, with the detail kept for the log", async () => {
      const broken = defineConfig({
        hooks: {
          allowsGrantType() {
            throw new Error("directory unreachable");
          },
        },
      });
      const ctx = context(broken as typeof teamApps);
      const service = await web({ name: "Broken", grantTypes: ["client_credentials"] });
      let caught: unknown;
      try {
        await tokenRequest(ctx, service, { grant_type: "client_credentials" });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(OAuthError);
      expect((caught as OAuthError).code).toBe("server_error");
      expect((caught as OAuthError).status).toBe(500);
      expect((caught as OAuthError).message).toContain("directory unreachable");
      expect(JSON.stringify((caught as OAuthError).toJSON())).not.toContain("directory unreachable");
    });
  });
});
