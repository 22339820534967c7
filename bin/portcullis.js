#!/usr/bin/env node
// The `portcullis` command: scripts/cli.ts, run with tsx's loader (as `npm run cli` does), without
// npm's banner on stdout. Run it where the server runs: relative paths in the settings resolve against
// the current folder, as for the server.
import { register } from "tsx/esm/api";

register();
await import("../scripts/cli.ts");
