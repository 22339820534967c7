import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, logOptionsFromEnv, prettyLine } from "./logger.ts";

function collector() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

describe("the logger", () => {
  it("defaults: JSON in production unless a terminal watches, pretty otherwise; info", () => {
    expect(logOptionsFromEnv({ NODE_ENV: "production" }, false)).toEqual({ level: "info", format: "json" });
    expect(logOptionsFromEnv({ NODE_ENV: "production" }, true)).toEqual({ level: "info", format: "pretty" });
    expect(logOptionsFromEnv({ NODE_ENV: "development" }, false).format).toBe("pretty");
    expect(logOptionsFromEnv({ LOG_LEVEL: "WARN", LOG_FORMAT: "json" }, true)).toEqual({
      level: "warn",
      format: "json",
    });
    expect(() => logOptionsFromEnv({ LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL must be one of/);
    expect(() => logOptionsFromEnv({ LOG_FORMAT: "xml" })).toThrow(/LOG_FORMAT must be json or pretty/);
  });

  it("writes one JSON object per line, filtered by level", () => {
    const { lines, stream } = collector();
    const logger = createLogger({ level: "info", format: "json" }, stream);
    logger.debug("hidden");
    logger.info({ route: "/oauth/token", status: 200 }, "request");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, msg: "request", route: "/oauth/token", status: 200 });
  });

  it("writes one readable line per entry in development", () => {
    const { lines, stream } = collector();
    createLogger({ level: "info", format: "pretty" }, stream).warn({ cause: "gone" }, "pool failed");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}pool failed cause=gone$/);
    expect(prettyLine("not json")).toBe("not json");
  });
});
