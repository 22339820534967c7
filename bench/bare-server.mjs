// Baseline (a) for bench/run.ts: a bare Node `http` server that reads the request body and answers
// fixed JSON. It is the ceiling for this machine, Node and wrk: no framework, no database.
// With <cpu-ms>, each answer first keeps the CPU busy that long (synchronously, as a request's own
// work does): baseline (c), the latency one event loop shows at a given cost per request.
// Usage: node bench/bare-server.mjs <port> [cpu-ms]
import http from "node:http";

const port = Number(process.argv[2] ?? 3990);
const cpuMs = Number(process.argv[3] ?? 0);
const body = JSON.stringify({ access_token: "pca_fixed", token_type: "Bearer", expires_in: 3600, scope: "read" });
const headers = {
  "Content-Type": "application/json;charset=UTF-8",
  "Content-Length": Buffer.byteLength(body),
  "Cache-Control": "no-store",
};

http
  .createServer((request, response) => {
    request.on("data", () => {});
    request.on("end", () => {
      const start = performance.now();
      while (performance.now() - start < cpuMs);
      response.writeHead(200, headers);
      response.end(body);
    });
  })
  .listen(port, "127.0.0.1", () => console.log(`bare server on ${port}`));
