// The walk's decisions, pure: where a walk starts and ends, what an answer means (end, stall, a timestamp tie,
// a slice to prove), and when re-reading a slice stops. sync-endpoint.ts is the I/O loop around these; each is
// unit-tested on hand-worked cases (test/walk-plan.test.ts).
import type { Cursor } from "../warehouse/types.ts";

export const PAGE_LIMIT = 50;
export const OFFSET_WINDOW = 10_000;
/** Answers in a row that neither move the anchor nor add a row before the stream fails. */
export const MAX_STALLS = 4;
/** Pages spent completing one slice or timestamp at the most. */
export const MAX_SLICE_PAGES = 600;
/** Pages in a row without a new row before a slice is given up, at the most. */
export const MAX_IDLE_PAGES = 200;

export type Mode = "backfill" | "incremental" | "resume" | "range";
export type WalkPlan = {
  mode: Mode;
  /** The walk covers (floor, top]; it starts at `low` when resuming, else at `top`. */
  top: number;
  floor: number;
  low: number | null;
  /** Where the stream was complete before this walk (null: never). */
  joinMs: number | null;
  /** Rows the API counts below the start that are not held yet, as far as known (null: unknown). */
  remaining: number | null;
};

/** A bound no block time can sit on (block times are whole seconds). */
export const offGrid = (ms: number) => (ms % 1000 === 0 ? ms - 1 : ms);
/** The query bound for "after x" or "up to x": off the whole-second grid (inclusive and exclusive readings agree). */
export const bound = (ms: number) => (ms % 1000 === 0 ? ms + 1 : ms);

/** Rows up to here are already held: the newest row seen, or the last walk's top if that is older. */
const heldUpTo = (stored: Cursor | null) =>
  stored?.syncedToMs == null ? null : Math.min(stored.syncedToMs, stored.newestMs ?? stored.syncedToMs);

/** Whether the walk is an incremental one (it then also re-reads from the oldest pending row). */
export const isIncremental = (stored: Cursor | null, range?: unknown) =>
  !range && stored?.walkTopMs == null && heldUpTo(stored) !== null;

export function planWalk(a: {
  stored: Cursor | null;
  range?: { fromMs: number; toMs: number };
  nowMs: number;
  historyStartMs: number;
  overlapMs: number;
  /** The oldest unconfirmed row young enough to settle (incremental walks re-read from it). */
  pendingMs?: number | null;
}): WalkPlan {
  const { stored, range } = a;
  const joinMs = stored?.syncedToMs ?? null;
  if (range) return { mode: "range", top: range.toMs, floor: range.fromMs, low: null, joinMs, remaining: null };
  if (stored?.walkTopMs != null) {
    const floor = stored.walkFloorMs ?? a.historyStartMs;
    return { mode: "resume", top: stored.walkTopMs, floor, low: stored.walkLowMs, joinMs, remaining: null };
  }
  const held = heldUpTo(stored);
  if (held === null)
    return { mode: "backfill", top: a.nowMs, floor: a.historyStartMs, low: null, joinMs, remaining: null };
  let floor = Math.max(a.historyStartMs, held - a.overlapMs);
  if (a.pendingMs != null) floor = Math.max(a.historyStartMs, Math.min(floor, a.pendingMs));
  // the newest row held lies inside the window (the overlap): an empty first answer there is spurious, not the end
  const newest = stored?.newestMs ?? null;
  const remaining = newest !== null && newest > offGrid(floor) && newest <= a.nowMs ? 1 : null;
  return { mode: "incremental", top: a.nowMs, floor, low: null, joinMs, remaining };
}

/**
 * An answer with no row in range and no row at all. It proves nothing by itself: never while its count says
 * rows remain, and only once a second request agrees (a third without counts; a few more when the last page
 * counted rows below here). `empties` counts this one.
 */
export function onEmpty(a: {
  count: number | null;
  empties: number;
  remaining: number | null;
}): { action: "stall"; why: string } | { action: "again" } | { action: "finish"; despiteRemaining: boolean } {
  if (a.count !== null && a.count > 0)
    return { action: "stall", why: `an empty page while the API counts ${a.count} rows` };
  const rowsBelow = a.remaining !== null && a.remaining > 0;
  const needed = rowsBelow ? MAX_STALLS : a.count === null ? 3 : 2;
  return a.empties < needed ? { action: "again" } : { action: "finish", despiteRemaining: rowsBelow };
}

/**
 * A page with rows, once absorbed: `inRange` rows of it lie in (floor, end], the oldest at `oldest`; `held` rows
 * are held in (floor, end]; `count` is the API's count for [floor, end].
 */
export function onPage(a: {
  inRange: number;
  oldest: number | null;
  end: number;
  count: number | null;
  held: number;
}):
  | { action: "stall"; why: string }
  | { action: "finish" }
  | { action: "tie" }
  | { action: "slice"; lo: number; counted: boolean } {
  if (!a.inRange || a.oldest === null)
    return {
      action: "stall",
      why: "rows outside the requested time range only: the API may be ignoring end_timestamp",
    };
  if (a.count !== null && a.held >= a.count) return { action: "finish" }; // every row counted down to the floor is held
  if (a.oldest === a.end) return { action: "tie" }; // one timestamp holds at least a page of rows
  return { action: "slice", lo: a.oldest, counted: a.count !== null };
}

/** Rows a slice (lo, hi] holds by the API's counts: [floor, hi] minus [floor, lo] (null: unknown). */
export const sliceWant = (countAbove: number | null, countBelow: number | null) =>
  countAbove !== null && countBelow !== null ? countAbove - countBelow : null;

/**
 * Pages in a row without a new row after which a slice counting `target` rows is given up: a row still missing
 * would have shown up in one of them with probability above 1 − 10⁻⁶ when the order changes between requests.
 */
export const idlePageLimit = (target: number, pageRows: number) =>
  Math.min(MAX_IDLE_PAGES, Math.max(8, Math.ceil((14 * target) / (pageRows || PAGE_LIMIT))));
