// One stream's walk, its I/O and what it holds: asking TronScan for a window (archived, recognised, counted),
// the rows read but not yet proven, and committing proven rows with the cursor in one transaction.
// sync-endpoint.ts decides what to ask; walk-slice.ts re-reads a slice until its count is met.
import {
  appendBatch,
  emptyBatch,
  ENDPOINT_EXTRA_PARAMS,
  ENDPOINT_PATHS,
  ENDPOINT_WALLET_PARAM,
  type Endpoint,
  type NormalizedBatch,
} from "../model/rows.ts";
import { normalizeRecords } from "../normalize/index.ts";
import { recognisePage } from "../normalize/page.ts";
import { recordKey, recordTimestamp } from "../normalize/record-key.ts";
import { SourceUnavailableError } from "../internal/errors.ts";
import { retrying } from "../internal/retry.ts";
import { HeldRows, type Row } from "./held-rows.ts";
import { bound, OFFSET_WINDOW, PAGE_LIMIT, type WalkPlan } from "./walk-plan.ts";
import { calledContracts } from "./token-cache.ts";
import { addLoadCounts, type Cursor, emptyLoadCounts } from "../warehouse/types.ts";
import { BudgetSpentError, type EndpointSummary, type Shortfall, type SyncDeps } from "./walk-types.ts";

/** One answer: rows with a timestamp, records without one, the API's count for the query. */
export type Answer = { rows: Row[]; timeless: unknown[]; count: number | null; empty: boolean; fetchedAtMs: number };

/** The API's count for the query: rangeTotal, else total while it is below its 10,000 cap; -1 or absent: none. */
export function countOf(body: unknown): number | null {
  const b = (body ?? {}) as Record<string, unknown>;
  const range = Number(b.rangeTotal);
  if (b.rangeTotal !== undefined && b.rangeTotal !== null && Number.isSafeInteger(range) && range >= 0) return range;
  const total = Number(b.total);
  if (b.total !== undefined && b.total !== null && Number.isSafeInteger(total) && total >= 0 && total < OFFSET_WINDOW)
    return total;
  return null;
}

/** An answer that is not a page of records (asked again twice, then the stream fails). */
class NotAPage extends SourceUnavailableError {
  override name = "NotAPage";
}

export class WalkIO {
  readonly summary: EndpointSummary;
  readonly held = new HeldRows();
  /** Rows read so far, for progress; the first count the API gave, for progress. */
  rowsRead = 0;
  expected: number | null = null;
  private observedAtMs = 0;
  private newest: number | null;
  private pending: NormalizedBatch = emptyBatch();
  private lastFlush = Date.now();

  constructor(
    readonly deps: SyncDeps,
    readonly wallet: string,
    readonly endpoint: Endpoint,
    private readonly plan: WalkPlan,
    private readonly isRange: boolean,
    newestMs: number | null,
  ) {
    this.newest = newestMs;
    this.summary = {
      wallet,
      endpoint,
      mode: plan.mode,
      pages: 0,
      requests: 0,
      ...emptyLoadCounts(),
      skipped: 0,
      syncedToMs: plan.joinMs,
      shortfalls: [],
    };
  }

  /** Rows in (afterMs, upToMs] from `offset`: one page, asked again while the body is not a page. */
  async fetch(afterMs: number, upToMs: number, offset: number, limit = PAGE_LIMIT): Promise<Answer> {
    this.deps.signal?.throwIfAborted();
    const { res, page } = await retrying((n) => this.request(afterMs, upToMs, offset, limit, n), {
      retries: 2,
      retryable: (e) => e instanceof NotAPage,
      delayMs: () => 0,
    });
    const rows: Row[] = [];
    const timeless: unknown[] = [];
    for (const record of page.records) {
      const ts = recordTimestamp(record);
      if (ts === null) timeless.push(record);
      else rows.push({ key: recordKey(this.endpoint, record), ts, record });
    }
    const count = countOf(res.body);
    if (this.expected === null) this.expected = count;
    return { rows, timeless, count, empty: page.records.length === 0, fetchedAtMs: res.fetchedAtMs };
  }

  private async request(afterMs: number, upToMs: number, offset: number, limit: number, attempt: number) {
    const { deps, wallet, endpoint } = this;
    if (deps.budget && deps.budget.left-- <= 0)
      throw new BudgetSpentError(`the walk of ${wallet} ${endpoint} spent its request budget`);
    const params: Record<string, string | number> = {
      [ENDPOINT_WALLET_PARAM[endpoint]]: wallet,
      start: offset,
      limit: Math.min(limit, OFFSET_WINDOW - offset),
      ...ENDPOINT_EXTRA_PARAMS[endpoint],
      start_timestamp: bound(afterMs),
      end_timestamp: bound(upToMs),
    };
    const res = await deps.client.get(ENDPOINT_PATHS[endpoint], params, deps.signal);
    this.summary.requests++;
    this.summary.pages++;
    deps.archive.save({ endpoint, wallet, response: res });
    // a body that is not a page (`{"data":null}`, an unknown envelope): asked again, then the stream fails
    const page = recognisePage(res.body, endpoint);
    if ("error" in page)
      throw new NotAPage(
        `TronScan ${ENDPOINT_PATHS[endpoint]} for ${wallet} answered ${attempt + 1} times with ${page.error}`,
      );
    return { res, page };
  }

  /** Holds the answer's rows in (lo, hi]; its records without a timestamp are quarantined. Returns rows new. */
  absorb(ans: Answer, lo: number, hi: number): number {
    const added = this.held.absorb(ans.rows, lo, hi);
    const reason = "the record has no timestamp";
    for (const record of ans.timeless)
      this.pending.quarantined.push({ endpoint: this.endpoint, reason, record, observedAtMs: ans.fetchedAtMs });
    this.observedAtMs = Math.max(this.observedAtMs, ans.fetchedAtMs);
    this.rowsRead += added;
    return added;
  }

  heldCount(lo: number, hi: number): number {
    return this.held.count(lo, hi);
  }

  /** Everything after `loExclusive` is proven: commit it (in batches) with the cursor there. */
  async settleAbove(loExclusive: number): Promise<void> {
    await this.takeAbove(loExclusive);
    const { settings } = this.deps;
    const size = this.pending.transactions.length + this.pending.transfers.length;
    if (size >= (settings.flushRows ?? 5000) || Date.now() - this.lastFlush >= (settings.flushMs ?? 2000))
      await this.commit(this.cursorAt(loExclusive, false));
    const { wallet, endpoint, rowsRead: rows, expected } = this;
    this.deps.onProgress?.({ wallet, endpoint, rows, expected, reachedMs: loExclusive });
  }

  /** The walk is complete down to `floorBound`: everything held is committed with the finished cursor. */
  async finish(floorBound: number): Promise<void> {
    await this.takeAbove(floorBound);
    await this.commit(this.cursorAt(null, true));
  }

  shortfall(s: Shortfall): void {
    this.summary.shortfalls.push(s);
    this.deps.logger?.warn({
      msg: "Rows fewer than the API counts after re-reading",
      wallet: this.wallet,
      endpoint: this.endpoint,
      from: new Date(s.fromMs).toISOString(),
      to: new Date(s.toMs).toISOString(),
      expected: s.expected,
      held: s.held,
    });
  }

  /** Verified rows are normalized per timestamp (a transaction's rows share one) into the pending batch. */
  private async takeAbove(loExclusive: number): Promise<void> {
    const { deps, endpoint, wallet } = this;
    for (const { ts, records } of this.held.takeAbove(loExclusive)) {
      const found =
        endpoint === "transaction" ? await deps.tokens.fill(calledContracts(records), deps.client, deps.signal) : [];
      this.summary.requests += found.length;
      const batch = normalizeRecords({
        endpoint,
        records,
        observedAtMs: this.observedAtMs,
        nowMs: Date.now(),
        tokens: deps.tokens.lookup,
        wallet,
      });
      batch.tokens.push(...found);
      deps.tokens.add(batch.tokens);
      deps.outputs?.write(batch);
      appendBatch(this.pending, batch);
      if (this.newest === null || ts > this.newest) this.newest = ts;
    }
  }

  private async commit(cursors: Cursor[]): Promise<void> {
    const counts = await this.deps.warehouse.load({ batch: this.pending, cursors, runId: this.deps.runId });
    addLoadCounts(this.summary, counts);
    this.summary.skipped += this.pending.skipped;
    this.pending = emptyBatch();
    this.lastFlush = Date.now();
  }

  /** The cursor to commit with the rows: finished at the top, or mid-walk at `walkLow` (a range walk: none). */
  private cursorAt(walkLow: number | null, done: boolean): Cursor[] {
    if (this.isRange) return [];
    const { wallet, endpoint, newest: newestMs } = this;
    const { top, joinMs, floor } = this.plan;
    if (done)
      return [{ wallet, endpoint, syncedToMs: top, walkTopMs: null, walkLowMs: null, walkFloorMs: null, newestMs }];
    return [{ wallet, endpoint, syncedToMs: joinMs, walkTopMs: top, walkLowMs: walkLow, walkFloorMs: floor, newestMs }];
  }
}
