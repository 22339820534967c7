// The production build served in-process exactly as `npm start` serves it (server.ts), profiled
// with the inspector's CPU profiler between SIGUSR2 (start, sent after a warm-up) and SIGTERM
// (stop, write the .cpuprofile, exit), so start-up and JIT warm-up stay out of the profile.
// Started by bench/profile.ts. Usage: node --import tsx bench/profile-server.mjs <dir> <port> <profile-file>
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [dir = process.cwd(), port = "3995", output = "bench/results/token.cpuprofile"] = process.argv.slice(2);
const { startServer } = await import(pathToFileURL(path.join(dir, "server.ts")).href);
await startServer({ port: Number(port), hostname: "127.0.0.1" });

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 200 });
process.on("SIGUSR2", () => void session.post("Profiler.start"));
process.on("SIGTERM", async () => {
  const { profile } = await session.post("Profiler.stop");
  writeFileSync(output, JSON.stringify(profile));
  process.exit(0);
});
console.log(`profile server on ${port}`);
