// The walk's decisions without I/O (pipeline/walk-plan.ts) and the held-rows ledger (pipeline/held-rows.ts),
// on hand-worked cases.
import { describe, expect, it } from "vitest";
import { HeldRows } from "../src/pipeline/held-rows.ts";
import { transferKey, transfersIn } from "../src/pipeline/twins.ts";
import { bound, idlePageLimit, offGrid, onEmpty, onPage, planWalk, sliceWant } from "../src/pipeline/walk-plan.ts";
import type { Cursor } from "../src/warehouse/types.ts";

const W = "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF";
const base = { nowMs: 1_000_000_000, historyStartMs: 100_000, overlapMs: 10_000 };
const cursor = (c: Partial<Cursor>): Cursor => ({
  wallet: W,
  endpoint: "trc20",
  syncedToMs: null,
  walkTopMs: null,
  walkLowMs: null,
  walkFloorMs: null,
  newestMs: null,
  ...c,
});

describe("planWalk: where a walk starts", () => {
  it("no cursor: a backfill from now down to the history start", () => {
    expect(planWalk({ ...base, stored: null })).toEqual({
      mode: "backfill",
      top: 1_000_000_000,
      floor: 100_000,
      low: null,
      joinMs: null,
      remaining: null,
    });
  });
  it("a walk under way resumes at its low point with its own top and floor", () => {
    const stored = cursor({ syncedToMs: 500_000, walkTopMs: 900_000, walkLowMs: 700_000, walkFloorMs: 490_000 });
    expect(planWalk({ ...base, stored })).toMatchObject({ mode: "resume", top: 900_000, floor: 490_000, low: 700_000 });
  });
  it("incremental: from the older of synced-to and newest row, minus the overlap; an old pending row pulls it lower", () => {
    // synced to 800,000 but the newest row seen is 790,000: held up to 790,000; floor 790,000 - 10,000
    const stored = cursor({ syncedToMs: 800_000, newestMs: 790_000 });
    const p = planWalk({ ...base, stored });
    expect(p).toMatchObject({ mode: "incremental", top: 1_000_000_000, floor: 780_000, joinMs: 800_000 });
    // the newest row held lies in (780,000, now]: an empty first answer there is spurious (one row remains)
    expect(p.remaining).toBe(1);
    expect(planWalk({ ...base, stored, pendingMs: 600_000 }).floor).toBe(600_000);
    expect(planWalk({ ...base, stored, pendingMs: 50_000 }).floor).toBe(100_000); // never below the history start
  });
  it("a range (verify's repair) walks exactly that window and knows nothing of the cursor", () => {
    expect(planWalk({ ...base, stored: null, range: { fromMs: 5, toMs: 9 } })).toMatchObject({
      mode: "range",
      top: 9,
      floor: 5,
    });
  });
  it("bounds sit off the whole-second grid: after x and up to x read the same inclusively or exclusively", () => {
    expect(bound(5_000)).toBe(5_001);
    expect(bound(5_001)).toBe(5_001);
    expect(offGrid(5_000)).toBe(4_999);
  });
});

describe("onEmpty / onPage: what an answer means", () => {
  it("an empty page counting rows is a stall; two empties end a counted walk, three an uncounted one", () => {
    expect(onEmpty({ count: 3, empties: 1, remaining: null }).action).toBe("stall");
    expect(onEmpty({ count: 0, empties: 1, remaining: null }).action).toBe("again");
    expect(onEmpty({ count: 0, empties: 2, remaining: null })).toEqual({ action: "finish", despiteRemaining: false });
    expect(onEmpty({ count: null, empties: 2, remaining: null }).action).toBe("again");
    expect(onEmpty({ count: null, empties: 3, remaining: null }).action).toBe("finish");
  });
  it("when the last page counted rows below, four empties are needed, and the end is flagged", () => {
    expect(onEmpty({ count: 0, empties: 3, remaining: 5 }).action).toBe("again");
    expect(onEmpty({ count: 0, empties: 4, remaining: 5 })).toEqual({ action: "finish", despiteRemaining: true });
  });
  it("a page: outside the range -> stall; all counted rows held -> finish; stuck on its anchor -> tie; else a slice", () => {
    expect(onPage({ inRange: 0, oldest: null, end: 10, count: 5, held: 0 }).action).toBe("stall");
    expect(onPage({ inRange: 3, oldest: 8, end: 10, count: 3, held: 3 })).toEqual({ action: "finish" });
    expect(onPage({ inRange: 50, oldest: 10, end: 10, count: 80, held: 50 })).toEqual({ action: "tie" });
    expect(onPage({ inRange: 50, oldest: 7, end: 10, count: 80, held: 50 })).toEqual({
      action: "slice",
      lo: 7,
      counted: true,
    });
    expect(onPage({ inRange: 50, oldest: 7, end: 10, count: null, held: 50 })).toMatchObject({ counted: false });
  });
  it("a slice holds the difference of two counts; the idle-page limit is 14 x count / page rows, 8 to 200", () => {
    expect(sliceWant(120, 70)).toBe(50);
    expect(sliceWant(120, null)).toBeNull();
    expect(idlePageLimit(100, 50)).toBe(28); // 14 * 100 / 50
    expect(idlePageLimit(10, 50)).toBe(8);
    expect(idlePageLimit(100_000, 50)).toBe(200);
  });
});

describe("HeldRows", () => {
  it("counts twins by their multiplicity within one answer; later answers never lower it; takes newest first", () => {
    const h = new HeldRows();
    const r = (key: string, ts: number) => ({ key, ts, record: { key } });
    expect(h.absorb([r("a", 5), r("a", 5), r("b", 6), r("c", 99)], 0, 10)).toBe(3); // c is out of range
    expect(h.count(0, 10)).toBe(3);
    expect(h.absorb([r("a", 5)], 0, 10)).toBe(0); // one copy in this answer: still two held
    expect(h.absorb([r("a", 5), r("a", 5), r("a", 5)], 0, 10)).toBe(1);
    expect(h.count(5, 10)).toBe(1); // (5, 10]: only b
    const taken = h.takeAbove(0);
    expect(taken.map((t) => [t.ts, t.records.length])).toEqual([
      [6, 1],
      [5, 3],
    ]);
    expect(h.count(0, 10)).toBe(0);
  });
  it("twins: a transaction's Transfer list says how many identical rows it holds", () => {
    const body = {
      trc20TransferInfo: [
        { type: "Transfer", contract_address: "T1", from_address: "A", to_address: "B", amount_str: "5" },
        { type: "Transfer", contract_address: "T1", from_address: "A", to_address: "B", amount_str: "5" },
        { type: "Approval", contract_address: "T1", from_address: "A", to_address: "B", amount_str: "5" },
      ],
    };
    const n = transfersIn(body)!;
    expect(n.get(transferKey({ contract_address: "T1", from_address: "A", to_address: "B", quant: "5" }))).toBe(2);
    expect(transfersIn({})).toBeNull();
  });
});
