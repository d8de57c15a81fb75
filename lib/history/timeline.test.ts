import { describe, expect, it } from "vitest";
import { timelineOf } from "@/lib/history/timeline";

const at = (hour: number) => new Date(Date.UTC(2026, 11, 1, hour));

describe("timelineOf", () => {
  it("draws the stretches between changes and the share of known time the link was CONNECTED", () => {
    const timeline = timelineOf(
      [
        { from: "CONNECTED", to: "NETWORK_ERROR", at: at(6) },
        { from: "NETWORK_ERROR", to: "CONNECTED", at: at(9) },
      ],
      "CONNECTED",
      at(0),
      at(12),
    );
    expect(timeline.stretches.map((s) => [s.status, s.from.getUTCHours(), s.to.getUTCHours()])).toEqual([
      ["CONNECTED", 0, 6],
      ["NETWORK_ERROR", 6, 9],
      ["CONNECTED", 9, 12],
    ]);
    expect(timeline.connectedShare).toBe(0.75);
  });

  it("does not count the time before the first check, and says so when nothing is known", () => {
    const timeline = timelineOf([{ from: null, to: "CONNECTED", at: at(6) }], null, at(0), at(12));
    expect(timeline.stretches.map((s) => s.status)).toEqual(["UNCHECKED", "CONNECTED"]);
    expect(timeline.connectedShare).toBe(1);
    expect(timelineOf([], null, at(0), at(12)).connectedShare).toBeNull();
  });
});
