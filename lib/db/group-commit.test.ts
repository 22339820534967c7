import { describe, expect, it } from "vitest";
import { groupCommit } from "./group-commit.ts";

/** A store that keeps what each committed batch held, and refuses any batch containing "bad". */
function recordingStore() {
  const batches: string[][] = [];
  const write = groupCommit<string>(async (items) => {
    if (items.includes("bad")) throw new Error(`refused ${items.join(",")}`);
    batches.push([...items]);
  });
  return { batches, write };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("groupCommit", () => {
  it("commits a turn's first write at once and the ones after it together at the turn's end", async () => {
    const { batches, write } = recordingStore();
    await Promise.all(["a", "b", "c", "d"].map((item) => write(item)));
    expect(batches).toEqual([["a"], ["b", "c", "d"]]);
  });

  it("settles no caller before its own batch is committed", async () => {
    const { batches, write } = recordingStore();
    const seen: number[] = [];
    await Promise.all(["a", "b", "c"].map((item) => write(item).then(() => seen.push(batches.length))));
    expect(seen).toEqual([1, 2, 2]);
  });

  it("commits a lone write of each turn at once, without waiting for the turn to end", async () => {
    const { batches, write } = recordingStore();
    const first = write("a");
    expect(batches).toEqual([["a"]]);
    await nextTurn();
    const second = write("b");
    expect(batches).toEqual([["a"], ["b"]]);
    await Promise.all([first, second]);
  });

  it("a batch still being committed does not hold up the next turn's", async () => {
    let releaseFirst!: () => void;
    const committed: string[][] = [];
    const write = groupCommit<string>(async (items) => {
      if (items.includes("slow")) await new Promise<void>((resolve) => (releaseFirst = resolve));
      committed.push([...items]);
    });
    const leader = write("lead");
    const slow = write("slow");
    await nextTurn();
    await Promise.all([leader, write("b"), write("c")]);
    expect(committed).toEqual([["lead"], ["b"], ["c"]]);
    releaseFirst();
    await slow;
    expect(committed).toEqual([["lead"], ["b"], ["c"], ["slow"]]);
  });

  it("when a batch fails, retries each write alone: only the bad one's caller sees the error", async () => {
    const { batches, write } = recordingStore();
    const results = await Promise.allSettled(["a", "b", "bad", "c"].map((item) => write(item)));
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect((results[2] as PromiseRejectedResult).reason).toEqual(new Error("refused bad"));
    expect(batches).toEqual([["a"], ["b"], ["c"]]);
  });

  it("a lone write that fails rejects with the store's error, and the next write still commits", async () => {
    const { batches, write } = recordingStore();
    await expect(write("bad")).rejects.toThrow("refused bad");
    await write("d");
    expect(batches).toEqual([["d"]]);
  });
});
