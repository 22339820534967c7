// The production build served in-process (`next({ dev: false })` + getRequestHandler()), profiled
// with the inspector's CPU profiler between SIGUSR2 (start, sent after a warm-up) and SIGTERM
// (stop, write the .cpuprofile, exit), so start-up and JIT warm-up stay out of the profile.
// Started by bench/profile.ts. Usage: node bench/profile-server.mjs <dir> <port> <profile-file>
import { writeFileSync } from "node:fs";
import http from "node:http";
import { Session } from "node:inspector/promises";
import next from "next";

const [dir = process.cwd(), port = "3995", output = "bench/results/token.cpuprofile"] = process.argv.slice(2);
const app = next({ dev: false, dir, hostname: "127.0.0.1", port: Number(port) });
await app.prepare();
const handle = app.getRequestHandler();
http.createServer((request, response) => handle(request, response)).listen(Number(port), "127.0.0.1");

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
