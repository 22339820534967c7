/**
 * Example: applications owned by teams. Every extension Portcullis offers, in one file:
 * - a required `team` (one of a list) shown as a column and a filter in the applications list;
 * - an `internal` flag: internal applications may be authorized only by users whose email is in
 *   the company's domain (TEAM_APPS_DOMAIN, default example.com);
 * - a `machineClient` flag: only machine clients may use client credentials;
 * - a `team` claim in ID tokens, userinfo and introspection;
 * - a registration rule: internal applications must be confidential.
 *
 * Try it: PORTCULLIS_CONFIG=examples/team-apps/portcullis.config.ts npm start
 * (or copy it over portcullis.config.ts, then `npm run build` and restart).
 */
import { defineConfig } from "../../lib/extensions/define.ts";

const companyDomain = (process.env.TEAM_APPS_DOMAIN ?? "example.com").toLowerCase();

export default defineConfig({
  applicationFields: {
    team: {
      type: "oneOf",
      label: "Team",
      help: "The team that owns this application and answers for it.",
      options: [
        { value: "payments", label: "Payments" },
        { value: "search", label: "Search" },
        { value: "platform", label: "Platform" },
      ],
      required: true,
      listColumn: true,
      listFilter: true,
    },
    internal: {
      type: "boolean",
      label: "Internal",
      help: `Only people with an @${companyDomain} address may sign in to it.`,
      listFilter: true,
    },
    machineClient: {
      type: "boolean",
      label: "Machine client",
      help: "A service without users: the only kind allowed the client credentials grant.",
    },
  },
  hooks: {
    allowsGrantType({ application, grantType }, registered) {
      if (grantType === "client_credentials") return registered && application.fields.machineClient;
      return registered;
    },
    mayAuthorize({ application, user }) {
      if (!application.fields.internal) return true;
      return user.email.toLowerCase().endsWith(`@${companyDomain}`)
        ? true
        : `${application.name} is for ${companyDomain} staff only`;
    },
    validateApplication({ clientType, fields }) {
      if (fields.internal && clientType !== "confidential") {
        return { clientType: "Internal applications must be confidential" };
      }
    },
    claims({ application }) {
      return { team: application.fields.team };
    },
  },
});
