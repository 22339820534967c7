/**
 * Lint: typescript-eslint's recommended rules, and the layering written as import rules so that it
 * is kept by the linter rather than by memory:
 * - lib/oauth, the protocol core: no storage, no framework. What it needs from outside comes in
 *   through ProtocolContext (lib/oauth/context.ts).
 * - lib/db only stores: it implements the protocol's store (lib/oauth/store.ts) and reads the
 *   application fields' definitions (their columns), and imports no other domain module.
 * - app/ and components/ reach the database only through the domain's queries and commands: app/
 *   may hold the client handle (lib/db/client) to pass it on, never query it itself.
 */
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const framework = ["next", "next/*", "next-auth", "next-auth/*", "react", "react-dom", "react/*"];
const prisma = ["@prisma/*", "**/generated/**", "@/lib/generated/*"];

/** Domain modules, seen from lib/db (relative imports). */
const domain = [
  "../access/*",
  "../applications/*",
  "!../applications/fields.ts",
  "../audit/*",
  "../auth/*",
  "../cli/*",
  "../maintenance/*",
  "../oauth/*",
  // The ports storage implements: the protocol's store and its failed-authentication counter.
  "!../oauth/store.ts",
  "!../oauth/client-auth-throttle.ts",
  "!../oauth/scope.ts",
  "../server/*",
  "../setup/*",
  "../tokens/*",
  "../usage/*",
  "../users/*",
  "../web/*",
];

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      ".next/",
      "lib/generated/",
      "next-env.d.ts",
      "test-results/",
      "playwright-report/",
      "blob-report/",
      ".test-data/",
      "bench/results/",
      "data/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { console: "readonly", process: "readonly", globalThis: "readonly" },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-undef": "off", // TypeScript checks names.
      "no-control-regex": "off", // Control characters are matched on purpose: to refuse them.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      "no-fallthrough": "off", // TypeScript checks it (noFallthroughCasesInSwitch), knowing which calls never return.
    },
  },
  // Later blocks replace this rule for their files: each lists the framework ban again.
  {
    files: ["lib/**/*.ts"],
    ignores: ["lib/web/**", "lib/**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: framework, message: "lib/ is framework-free (only lib/web adapts to Next)." }] },
      ],
    },
  },
  {
    files: ["lib/oauth/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/db/*", "@/lib/db/*"],
              message: "The protocol core reaches storage only through its store port.",
            },
            { group: framework, message: "The protocol core imports no framework." },
            { group: prisma, message: "The protocol core imports no Prisma." },
            {
              group: ["**/web/*", "**/server/*", "@/lib/web/*", "@/lib/server/*"],
              message: "The web layer calls the protocol core, not the other way round.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["lib/db/**/*.ts"],
    ignores: ["lib/db/**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: domain, message: "lib/db only stores: domain logic calls it, not the other way round." },
            { group: framework, message: "Storage imports no framework." },
          ],
        },
      ],
    },
  },
  {
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@/lib/db/*", "!@/lib/db/client", "!@/lib/db/record-id"],
              message: "Pages reach the database through lib/ queries and commands.",
            },
            { group: prisma, message: "Pages reach the database through lib/ queries and commands." },
          ],
        },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "MemberExpression[object.type='CallExpression'][object.callee.name='db']",
          message: "Query through a lib/ query or command, not the Prisma client.",
        },
      ],
    },
  },
  {
    // Playwright's fixtures take their dependencies as a destructured (often empty) object.
    files: ["e2e/**/*.ts"],
    rules: { "no-empty-pattern": "off" },
  },
);
