/**
 * Your extensions to Portcullis: custom application fields and policy hooks (docs/extending.md).
 * Empty by default. After a change, run `npm run build` and restart the server.
 * examples/team-apps/portcullis.config.ts shows every kind of extension.
 */
import { defineConfig } from "./lib/extensions/define.ts";

export default defineConfig({});
