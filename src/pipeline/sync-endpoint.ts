// Gap-free sync of one wallet on one stream. Pages newest -> oldest anchored on end_timestamp (keyset
// paging: the start+limit <= 10000 window is never a wall, rows arriving at the head never shift offsets),
// and every stretch of time is proven complete before the cursor moves past it:
// - each page covers a slice (oldest, end]; the API's own count for [floor, end] minus its count for
//   [floor, oldest] (the next page's) says how many rows that slice holds. Fewer held: the slice is re-read
//   by itself until they are all held (a short page, a page with rows missing, a spurious empty page);
// - a timestamp holding more rows than one page (a batch payout) is collected with its own count,
//   re-read until every distinct row is held even when the order changes between requests; identical
//   TRC20 rows of one transaction (twins) are settled from /api/transaction-info;
// - an empty answer ends a walk only when a second request confirms it, and never while a count says rows
//   remain; answers that neither move the anchor nor add a row stop the stream after a few.
// Where the API gives no usable count, slices are taken as read and only a confirmed empty answer ends.
// Timestamps are block times (whole seconds): bounds are sent as x+1 / x-1 so that the walk is the same
// whether the API reads them inclusively or exclusively.
//
// The decisions are pure (walk-plan.ts); the requests, held rows and commits are walk-io.ts; proving one
// slice is walk-slice.ts. This file is the walk itself: ask from `end` down to the floor, one answer at a time.
import { ENDPOINT_PATHS, type Endpoint } from "../model/rows.ts";
import { isIncremental, MAX_STALLS, offGrid, onEmpty, onPage, planWalk, sliceWant } from "./walk-plan.ts";
import { type Answer, WalkIO } from "./walk-io.ts";
import { completeSlice } from "./walk-slice.ts";
import { type EndpointSummary, StreamStalledError, type SyncDeps } from "./walk-types.ts";

type Slice = { lo: number; hi: number; count: number | null };

/**
 * Syncs one stream of one wallet. With `range`, walks exactly that window (verify's repair) and leaves the
 * cursor alone; otherwise backfills, resumes or catches up from the stored cursor.
 */
export async function syncEndpoint(
  deps: SyncDeps,
  wallet: string,
  endpoint: Endpoint,
  range?: { fromMs: number; toMs: number },
): Promise<EndpointSummary> {
  const { warehouse, settings } = deps;
  const stored = range ? null : await warehouse.getCursor(wallet, endpoint);
  const pendingMs = isIncremental(stored, range)
    ? await warehouse.oldestPendingMs(wallet, deps.nowMs - settings.pendingMaxAgeMs)
    : null;
  const plan = planWalk({ stored, range, nowMs: deps.nowMs, pendingMs, ...settings });
  const io = new WalkIO(deps, wallet, endpoint, plan, range !== undefined, stored?.newestMs ?? null);
  await new Walk(io, offGrid(plan.floor), plan.low !== null ? plan.low : plan.top, plan.remaining).run();
  io.summary.syncedToMs = range ? plan.joinMs : plan.top;
  return io.summary;
}

/** The walk back from `end`: rows strictly after `floorBound` and at or before `end` are still to be proven. */
class Walk {
  private pendingSlice: Slice | null = null;
  private stalls = 0;
  private empties = 0;

  constructor(
    private readonly io: WalkIO,
    private readonly floorBound: number,
    private end: number,
    /** Rows the API counts below `end` not yet held, as far as known. */
    private remaining: number | null,
  ) {}

  async run(): Promise<void> {
    for (;;) {
      const ans = await this.io.fetch(this.floorBound, this.end, 0);
      const inRange = ans.rows.filter((r) => r.ts > this.floorBound && r.ts <= this.end);
      const step = !inRange.length && ans.empty ? await this.onEmptyAnswer(ans) : await this.onRows(ans, inRange);
      if (step === "done") return;
    }
  }

  /** No row at all: the end, once confirmed — or a stall, or one more request. */
  private async onEmptyAnswer(ans: Answer): Promise<"done" | "more"> {
    const e = onEmpty({ count: ans.count, empties: ++this.empties, remaining: this.remaining });
    if (e.action === "stall") {
      this.empties--;
      this.stall(e.why);
      return "more";
    }
    if (e.action === "again") return "more";
    if (e.despiteRemaining)
      this.io.deps.logger?.warn({
        msg: "Empty answers where the last page counted more rows: taken as the end",
        wallet: this.io.wallet,
        endpoint: this.io.endpoint,
        counted: this.remaining,
        answers: this.empties,
      });
    if (this.pendingSlice) await this.verifySlice(this.pendingSlice, 0);
    await this.io.finish(this.floorBound);
    return "done";
  }

  /** A page with rows: the slice before it is proven with this page's count, and this page opens the next. */
  private async onRows(ans: Answer, inRange: Answer["rows"]): Promise<"done" | "more"> {
    const { io, floorBound, end } = this;
    this.empties = 0;
    if (this.pendingSlice) {
      await this.verifySlice(this.pendingSlice, ans.count);
      this.pendingSlice = null;
    }
    io.absorb(ans, floorBound, end);
    const oldest = inRange.length ? Math.min(...inRange.map((r) => r.ts)) : null;
    const p = onPage({ inRange: inRange.length, oldest, end, count: ans.count, held: io.heldCount(floorBound, end) });
    if (p.action === "stall") {
      this.stall(p.why);
      return "more";
    }
    if (p.action === "finish") {
      await io.finish(floorBound);
      return "done";
    }
    this.stalls = 0;
    if (p.action === "tie") {
      await completeSlice(io, end - 1, end, null);
      await io.settleAbove(end - 1);
      this.remaining = ans.count === null ? null : ans.count - io.heldCount(end - 1, end);
      this.end -= 1;
      return "more";
    }
    if (!p.counted) {
      // no count to check against: the slice is read again until a read brings nothing new
      await completeSlice(io, p.lo, end, null);
      await io.settleAbove(p.lo);
      this.remaining = null;
    } else {
      this.pendingSlice = { lo: p.lo, hi: end, count: ans.count };
      this.remaining = (ans.count ?? 0) - io.heldCount(p.lo, end);
    }
    this.end = p.lo; // rows at `lo` may continue on the next page: it starts with them again
    return "more";
  }

  /** The slice's rows against its count (its page's count minus the next page's); re-read if short; committed. */
  private async verifySlice(slice: Slice, countBelow: number | null): Promise<void> {
    const want = sliceWant(slice.count, countBelow);
    if (want !== null && this.io.heldCount(slice.lo, slice.hi) < want)
      await completeSlice(this.io, slice.lo, slice.hi, want);
    await this.io.settleAbove(slice.lo);
  }

  private stall(why: string): void {
    if (++this.stalls < MAX_STALLS) return;
    const { wallet, endpoint } = this.io;
    throw new StreamStalledError(
      `TronScan ${ENDPOINT_PATHS[endpoint]} for ${wallet}: ${this.stalls} answers in a row made no progress (${why}) ` +
        `while walking back from ${new Date(this.end).toISOString()}; the stream stops here (rows committed so far are kept)`,
    );
  }
}
