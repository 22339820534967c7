/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`) by package and by function, with self and
 * inclusive time. Code bundled into .next/server is traced back to its source file through the
 * build's source maps, so bundled Next, Prisma and our own lib/ code are told apart.
 *
 *   npx tsx bench/analyze-profile.ts <file.cpuprofile> [requests]
 *   npx tsx bench/analyze-profile.ts --diff <base.cpuprofile> <requests> <other.cpuprofile> <requests>
 *
 * --diff prints, per function, the inclusive time per request that `other` spends beyond `base`:
 * e.g. the token endpoint against GET /api/health, to see what the endpoint adds to Next's own cost.
 */
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const maps = new Map<string, SourceMap | null>();

function sourceMapFor(file: string): SourceMap | null {
  if (!maps.has(file)) {
    const mapFile = `${file}.map`;
    maps.set(file, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, "utf8"))) : null);
  }
  return maps.get(file)!;
}

/** The original source file of a frame (through the build's source map when bundled), and its line. */
function originalPosition(frame: CallFrame): { file: string; line: number } {
  if (!frame.url.startsWith("file://")) return { file: frame.url, line: frame.lineNumber + 1 };
  const file = fileURLToPath(frame.url);
  if (file.includes(`${path.sep}.next${path.sep}`)) {
    const entry = sourceMapFor(file)?.findEntry(frame.lineNumber, frame.columnNumber);
    if (entry && "originalSource" in entry && entry.originalSource) {
      return { file: path.resolve(path.dirname(file), entry.originalSource), line: entry.originalLine + 1 };
    }
  }
  return { file, line: frame.lineNumber + 1 };
}

/** A package-level bucket for a frame. */
function categoryOf(frame: CallFrame, file: string, root: string): string {
  if (frame.url === "") {
    if (frame.functionName.startsWith("(")) return frame.functionName; // (idle) (program) (garbage collector) (root)
    return "(native)";
  }
  if (file.startsWith("node:")) {
    const parts = file.slice("node:".length).split("/");
    return `node:${parts[0] === "internal" ? (parts[1] ?? "internal").replace(/\.js$/, "") : parts[0]}`;
  }
  const nm = file.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  if (nm >= 0) {
    const rest = file.slice(nm + "/node_modules/".length).split(path.sep);
    const pkg = rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
    if (pkg === "next") {
      // Next's compiled dependencies and its server pipeline are worth telling apart.
      const compiled = rest.indexOf("compiled");
      if (compiled >= 0) return `next/compiled/${rest[compiled + 1]}`;
      return "next";
    }
    return pkg;
  }
  const relative = path.relative(root, file);
  if (relative.startsWith("lib/generated")) return "lib/generated (Prisma client)";
  if (relative.startsWith("..")) return file;
  const parts = relative.split(path.sep);
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

export function analyzeProfile(file: string, options: { requests?: number; projectRoot: string; top?: number }): void {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const root = options.projectRoot;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  // Time per node: each sample's following delta.
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, dt));
  }
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

  const info = new Map<number, { category: string; fn: string }>();
  for (const node of profile.nodes) {
    const { file: original, line } = originalPosition(node.callFrame);
    const category = categoryOf(node.callFrame, original, root);
    // Our own code is minified in the build: its source line tells the functions apart.
    const ours = !original.includes("node_modules") && !original.startsWith("node:");
    const where = node.callFrame.url === "" ? "" : ` ${path.relative(root, original)}${ours ? `:${line}` : ""}`;
    info.set(node.id, { category, fn: `${node.callFrame.functionName || "(anonymous)"}${where}` });
  }
  // Native frames (better-sqlite3's prepare/run, crypto, ...) count toward their caller's package.
  const effectiveCategory = (id: number): string => {
    let current: number | undefined = id;
    while (current !== undefined) {
      const category = info.get(current)!.category;
      if (category !== "(native)") return category;
      current = parent.get(current);
    }
    return "(native)";
  };

  const catSelf = new Map<string, number>();
  const catIncl = new Map<string, number>();
  const fnSelf = new Map<string, number>();
  const fnIncl = new Map<string, number>();
  for (const [id, us] of selfUs) {
    if (us === 0) continue;
    const category =
      info.get(id)!.category === "(native)" ? `${effectiveCategory(id)} (native)` : info.get(id)!.category;
    catSelf.set(category, (catSelf.get(category) ?? 0) + us);
    fnSelf.set(info.get(id)!.fn, (fnSelf.get(info.get(id)!.fn) ?? 0) + us);
    const seenCats = new Set<string>();
    const seenFns = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const node = info.get(current)!;
      const cat = node.category === "(native)" ? effectiveCategory(current) : node.category;
      if (!seenCats.has(cat)) {
        seenCats.add(cat);
        catIncl.set(cat, (catIncl.get(cat) ?? 0) + us);
      }
      if (!seenFns.has(node.fn)) {
        seenFns.add(node.fn);
        fnIncl.set(node.fn, (fnIncl.get(node.fn) ?? 0) + us);
      }
    }
  }
  void byId;

  const idle = catSelf.get("(idle)") ?? 0;
  const busy = totalUs - idle;
  const perRequest = options.requests
    ? ` · ${(busy / 1000 / options.requests).toFixed(3)} ms CPU per request over ${options.requests} requests`
    : "";
  console.log(`profile ${(totalUs / 1e6).toFixed(1)} s · idle ${((idle / totalUs) * 100).toFixed(1)}%${perRequest}\n`);

  const pct = (us: number) => `${((us / totalUs) * 100).toFixed(1).padStart(5)}%`;
  const top = options.top ?? 25;
  console.log("By package (share of all samples):     self   inclusive");
  for (const [category, us] of [...catSelf].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const base = category.replace(/ \(native\)$/, "");
    console.log(`  ${category.slice(0, 36).padEnd(36)} ${pct(us)}  ${pct(catIncl.get(base) ?? us)}`);
  }
  console.log("\nBy function, self time:");
  for (const [fn, us] of [...fnSelf].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${pct(us)}  ${fn.slice(0, 120)}`);
  console.log("\nBy function, inclusive time (our code and the database layer):");
  const interesting =
    /lib\/(oauth|db|generated)|app\/oauth|better-sqlite3|adapter-|@prisma|performIO|prepare|\brun\b|query|Query|pg\//;
  for (const [fn, us] of [...fnIncl]
    .filter(([fn]) => interesting.test(fn))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)) {
    console.log(`  ${pct(us)}  ${fn.slice(0, 120)}`);
  }
}

/** Inclusive µs per request of each function (labelled with its original file and line). */
function inclusivePerRequest(file: string, requests: number, root: string): Map<string, number> {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const label = new Map<number, string>();
  for (const node of profile.nodes) {
    const { file: original, line } = originalPosition(node.callFrame);
    const where = node.callFrame.url === "" ? "" : ` ${path.relative(root, original)}:${line}`;
    label.set(node.id, `${node.callFrame.functionName || "(anonymous)"}${where}`);
  }
  const result = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = Math.max(0, profile.timeDeltas[i + 1] ?? 0);
    const seen = new Set<string>();
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const name = label.get(id)!;
      if (seen.has(name)) continue;
      seen.add(name);
      result.set(name, (result.get(name) ?? 0) + dt / requests);
    }
  }
  return result;
}

export function diffProfiles(
  base: string,
  baseRequests: number,
  other: string,
  otherRequests: number,
  root: string,
  top = 40,
): void {
  const a = inclusivePerRequest(base, baseRequests, root);
  const b = inclusivePerRequest(other, otherRequests, root);
  const rows = [...new Set([...a.keys(), ...b.keys()])]
    .map((name) => ({ name, extra: (b.get(name) ?? 0) - (a.get(name) ?? 0), a: a.get(name) ?? 0, b: b.get(name) ?? 0 }))
    .sort((x, y) => y.extra - x.extra);
  console.log("Inclusive time per request beyond the base profile (µs):   extra    base   other");
  for (const row of rows.slice(0, top)) {
    console.log(
      `  ${row.name.slice(0, 70).padEnd(70)} ${row.extra.toFixed(0).padStart(6)}  ${row.a.toFixed(0).padStart(6)}  ${row.b.toFixed(0).padStart(6)}`,
    );
  }
}

if (process.argv[1] && import.meta.filename === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const root = path.resolve(import.meta.dirname, "..");
  if (args[0] === "--diff") {
    const [, base, baseRequests, other, otherRequests] = args;
    if (!base || !baseRequests || !other || !otherRequests)
      throw new Error("usage: analyze-profile.ts --diff <base> <requests> <other> <requests>");
    diffProfiles(base, Number(baseRequests), other, Number(otherRequests), root);
  } else {
    const [file, requests] = args;
    if (!file) throw new Error("usage: analyze-profile.ts <file.cpuprofile> [requests]");
    analyzeProfile(file, { requests: requests ? Number(requests) : undefined, projectRoot: root });
  }
}
