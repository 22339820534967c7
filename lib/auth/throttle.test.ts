import { describe, expect, it } from "vitest";
import { FailureThrottle } from "./throttle.ts";

describe("FailureThrottle", () => {
  it("blocks an account after the limit within the window, and frees it as failures age out", () => {
    let now = 0;
    const throttle = new FailureThrottle(3, 1000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(throttle.blocked("a")).toBe(false);
      throttle.fail("a");
      now += 100;
    }
    expect(throttle.blocked("a")).toBe(true);
    expect(throttle.blocked("b")).toBe(false);
    now = 1001; // the first failure (at 0) has left the window
    expect(throttle.blocked("a")).toBe(false);
  });

  it("a success clears the account's failures", () => {
    const throttle = new FailureThrottle(2, 1000, () => 0);
    throttle.fail("a");
    throttle.succeed("a");
    throttle.fail("a");
    expect(throttle.blocked("a")).toBe(false);
  });
});
