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
import { NonRetryableError, SourceUnavailableError } from "../internal/errors.ts";
import { retrying } from "../internal/retry.ts";
import { type Held, HeldRows, type Row } from "./held-rows.ts";
import { transferKey, transfersIn } from "./twins.ts";
import {
  bound,
  idlePageLimit,
  isIncremental,
  MAX_SLICE_PAGES,
  MAX_STALLS,
  type Mode,
  OFFSET_WINDOW,
  offGrid,
  onEmpty,
  onPage,
  PAGE_LIMIT,
  planWalk,
  sliceWant,
} from "./walk-plan.ts";
import { calledContracts, type TokenCache } from "./token-cache.ts";
import { addLoadCounts, type Cursor, emptyLoadCounts, type LoadCounts, type Warehouse } from "../warehouse/types.ts";
import type { TronscanClient } from "../source/tronscan/client.ts";
import type { Archive } from "../source/archive.ts";
import type { RunOutputs } from "./outputs.ts";
import type { Logger } from "../internal/logger.ts";

/** /api/transaction-info look-ups spent settling twins in one slice. */
const MAX_TWIN_LOOKUPS = 200;

/**
 * Whether a TRC20 list row's transaction may emit it twice: anything but a direct transfer()/transferFrom() call on
 * the token's own contract (a batch payout, a router). A row without trigger_info may.
 */
function mayHoldTwins(record: unknown): boolean {
  const r = (record ?? {}) as Record<string, unknown>;
  const ti = r.trigger_info as Record<string, unknown> | undefined;
  if (!ti || typeof ti !== "object") return true;
  const method = String(ti.methodName ?? ti.method ?? "");
  return !(ti.contract_address === r.contract_address && /^(transfer|transferFrom)(\(|$)/.test(method));
}

export type SyncSettings = {
  /** Pages are committed (rows + cursor, one transaction) once this many rows are buffered... */
  flushRows?: number;
  /** ...or this long after the last commit, and always at the end of a walk. */
  flushMs?: number;
  historyStartMs: number;
  overlapMs: number;
  pendingMaxAgeMs: number;
};

/** A stretch of time whose rows stayed fewer than the API counts after every re-read. */
export type Shortfall = { fromMs: number; toMs: number; expected: number; held: number };

export type EndpointSummary = LoadCounts & {
  wallet: string;
  endpoint: Endpoint;
  mode: Mode;
  pages: number;
  requests: number;
  skipped: number;
  syncedToMs: number | null;
  shortfalls: Shortfall[];
};

export type Progress = (p: {
  wallet: string;
  endpoint: Endpoint;
  rows: number;
  expected: number | null;
  reachedMs: number | null;
}) => void;

export type SyncDeps = {
  client: TronscanClient;
  warehouse: Warehouse;
  archive: Archive;
  tokens: TokenCache;
  runId: string;
  nowMs: number;
  settings: SyncSettings;
  signal?: AbortSignal;
  onProgress?: Progress;
  outputs?: RunOutputs;
  logger?: Logger;
  /** Requests this walk may still make (verify's repairs); past it the walk stops with a BudgetSpentError. */
  budget?: { left: number };
};

/** A walk spent its request budget (verify's repair of a day whose count it cannot meet). */
export class BudgetSpentError extends NonRetryableError {
  override name = "BudgetSpentError";
}

type Answer = { rows: Row[]; timeless: unknown[]; count: number | null; empty: boolean; fetchedAtMs: number };

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

export class StreamStalledError extends SourceUnavailableError {
  override name = "StreamStalledError";
}
/** An answer that is not a page of records (asked again twice, then the stream fails). */
class NotAPage extends SourceUnavailableError {
  override name = "NotAPage";
}

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
  const { warehouse, client, settings } = deps;
  const stored = range ? null : await warehouse.getCursor(wallet, endpoint);
  const pendingMs = isIncremental(stored, range)
    ? await warehouse.oldestPendingMs(wallet, deps.nowMs - settings.pendingMaxAgeMs)
    : null;
  const plan = planWalk({ stored, range, nowMs: deps.nowMs, pendingMs, ...settings });
  const { mode, top, floor, low, joinMs } = plan;
  // rows strictly after `floorBound` and at or before the walk's end are this walk's
  const floorBound = offGrid(floor);

  const summary: EndpointSummary = {
    wallet,
    endpoint,
    mode,
    pages: 0,
    requests: 0,
    ...emptyLoadCounts(),
    skipped: 0,
    syncedToMs: joinMs,
    shortfalls: [],
  };
  let newest = stored?.newestMs ?? null;
  const cursorAt = (walkLow: number | null, done: boolean): Cursor[] => {
    if (range) return [];
    return [
      done
        ? { wallet, endpoint, syncedToMs: top, walkTopMs: null, walkLowMs: null, walkFloorMs: null, newestMs: newest }
        : {
            wallet,
            endpoint,
            syncedToMs: joinMs,
            walkTopMs: top,
            walkLowMs: walkLow,
            walkFloorMs: floor,
            newestMs: newest,
          },
    ];
  };

  // ---- rows held but not yet committed ----
  const held = new HeldRows();
  let observedAtMs = 0;
  let rowsRead = 0;
  let expected: number | null = null;

  const absorb = (ans: Answer, lo: number, hi: number): number => {
    const added = held.absorb(ans.rows, lo, hi);
    const reason = "the record has no timestamp";
    for (const record of ans.timeless)
      pendingBatch.quarantined.push({ endpoint, reason, record, observedAtMs: ans.fetchedAtMs });
    observedAtMs = Math.max(observedAtMs, ans.fetchedAtMs);
    rowsRead += added;
    return added;
  };
  const heldCount = (lo: number, hi: number) => held.count(lo, hi);

  // ---- requests ----
  const fetchRange = async (afterMs: number, upToMs: number, offset: number, limit = PAGE_LIMIT): Promise<Answer> => {
    deps.signal?.throwIfAborted();
    const params: Record<string, string | number> = {
      [ENDPOINT_WALLET_PARAM[endpoint]]: wallet,
      start: offset,
      limit: Math.min(limit, OFFSET_WINDOW - offset),
      ...ENDPOINT_EXTRA_PARAMS[endpoint],
      start_timestamp: bound(afterMs),
      end_timestamp: bound(upToMs),
    };
    // a body that is not a page (`{"data":null}`, an unknown envelope): asked again, then the stream fails
    const { res, page } = await retrying(
      async (n) => {
        if (deps.budget && deps.budget.left-- <= 0)
          throw new BudgetSpentError(`the walk of ${wallet} ${endpoint} spent its request budget`);
        const res = await client.get(ENDPOINT_PATHS[endpoint], params, deps.signal);
        summary.requests++;
        summary.pages++;
        deps.archive.save({ endpoint, wallet, response: res });
        const page = recognisePage(res.body, endpoint);
        if ("error" in page)
          throw new NotAPage(
            `TronScan ${ENDPOINT_PATHS[endpoint]} for ${wallet} answered ${n + 1} times with ${page.error}`,
          );
        return { res, page };
      },
      { retries: 2, retryable: (e) => e instanceof NotAPage, delayMs: () => 0 },
    );
    const rows: Row[] = [];
    const timeless: unknown[] = [];
    for (const record of page.records) {
      const ts = recordTimestamp(record);
      if (ts === null) timeless.push(record);
      else rows.push({ key: recordKey(endpoint, record), ts, record });
    }
    const count = countOf(res.body);
    if (expected === null) expected = count;
    return { rows, timeless, count, empty: page.records.length === 0, fetchedAtMs: res.fetchedAtMs };
  };

  // ---- committing: verified rows are normalized per timestamp (a transaction's rows share one) ----
  let pendingBatch: NormalizedBatch = emptyBatch();
  let lastFlush = Date.now();
  const takeAbove = async (loExclusive: number) => {
    for (const { ts, records } of held.takeAbove(loExclusive)) {
      const found =
        endpoint === "transaction" ? await deps.tokens.fill(calledContracts(records), client, deps.signal) : [];
      summary.requests += found.length;
      const batch = normalizeRecords({
        endpoint,
        records,
        observedAtMs,
        nowMs: Date.now(),
        tokens: deps.tokens.lookup,
        wallet,
      });
      batch.tokens.push(...found);
      deps.tokens.add(batch.tokens);
      deps.outputs?.write(batch);
      appendBatch(pendingBatch, batch);
      if (newest === null || ts > newest) newest = ts;
    }
  };
  const commit = async (cursors: Cursor[]) => {
    const counts = await warehouse.load({ batch: pendingBatch, cursors, runId: deps.runId });
    addLoadCounts(summary, counts);
    summary.skipped += pendingBatch.skipped;
    pendingBatch = emptyBatch();
    lastFlush = Date.now();
  };
  /** Everything after `loExclusive` is proven: commit it (in batches) with the cursor there. */
  const settleAbove = async (loExclusive: number) => {
    await takeAbove(loExclusive);
    const size = pendingBatch.transactions.length + pendingBatch.transfers.length;
    if (size >= (settings.flushRows ?? 5000) || Date.now() - lastFlush >= (settings.flushMs ?? 2000))
      await commit(cursorAt(loExclusive, false));
    deps.onProgress?.({ wallet, endpoint, rows: rowsRead, expected, reachedMs: loExclusive });
  };
  const shortfall = (s: Shortfall) => {
    summary.shortfalls.push(s);
    deps.logger?.warn({
      msg: "Rows fewer than the API counts after re-reading",
      wallet,
      endpoint,
      from: new Date(s.fromMs).toISOString(),
      to: new Date(s.toMs).toISOString(),
      expected: s.expected,
      held: s.held,
    });
  };

  /**
   * Re-reads (lo, hi] by itself, page by page, until its rows match the count. The order of rows within one
   * timestamp may change on every request, so each page is a new draw that may bring rows the others missed:
   * reading goes on while it can still help — until enough pages in a row brought nothing that a missing row
   * would almost surely have shown up (14 x count / page size: below one chance in a million) — then TRC20
   * twins are settled, then a shortfall is reported. Without a count: until two full reads bring nothing new.
   */
  const completeSlice = async (lo: number, hi: number, want: number | null): Promise<void> => {
    let target = want;
    let idlePasses = 0;
    let idlePages = 0;
    let pageRows = 0;
    let twinsSettled = false;
    let pages = 0;
    const enough = () => target !== null && heldCount(lo, hi) >= target;
    const hopeless = () => target !== null && idlePages >= idlePageLimit(target, pageRows);
    let excused = 0;
    while (!enough() && pages < MAX_SLICE_PAGES) {
      const before = heldCount(lo, hi);
      let emptyFirst = false;
      for (let offset = 0; offset < OFFSET_WINDOW && pages < MAX_SLICE_PAGES; ) {
        const ans = await fetchRange(lo, hi, offset);
        pages++;
        if (offset === 0 && ans.empty) emptyFirst = true;
        // this slice's own count is the authority, unless the answer is empty (a spurious empty page may say 0)
        if (ans.count !== null && !ans.empty) target = ans.count;
        const gained = absorb(ans, lo, hi);
        idlePages = gained ? 0 : idlePages + 1;
        const inSlice = ans.rows.filter((r) => r.ts > lo && r.ts <= hi).length;
        pageRows = Math.max(pageRows, ans.rows.length);
        if (!inSlice || enough() || hopeless()) break;
        offset += ans.rows.length;
        if (target !== null && offset >= target) break;
      }
      // an empty first answer where rows are known to be proves nothing (a spurious empty page): not counted, a few
      // times
      if (emptyFirst && heldCount(lo, hi) > 0 && excused < MAX_STALLS) {
        excused++;
        continue;
      }
      idlePasses = heldCount(lo, hi) > before ? 0 : idlePasses + 1;
      if (target === null) {
        if (idlePasses >= 2) return; // no count to check against: two full reads in a row brought nothing new
        continue;
      }
      if (enough()) return;
      if (idlePasses >= 1 && endpoint === "trc20" && !twinsSettled) {
        await settleTwins(lo, hi, target - heldCount(lo, hi)); // identical rows of one transaction may be what is "missing"
        twinsSettled = true;
        continue;
      }
      if (hopeless()) break;
    }
    if (target !== null && heldCount(lo, hi) < target)
      shortfall({ fromMs: lo + 1, toMs: hi, expected: target, held: heldCount(lo, hi) });
  };

  /**
   * TRC20 list rows carry no event index: two identical Transfers of one transaction are one row to us.
   * The transaction's own list of Transfers says how many there are.
   */
  const settleTwins = async (lo: number, hi: number, missing: number | null) => {
    const byTx = new Map<string, Held[]>();
    for (const h of held.within(lo, hi)) {
      const txid = String((h.record as Record<string, unknown>).transaction_id ?? "");
      if (txid) byTx.set(txid, [...(byTx.get(txid) ?? []), h]);
    }
    // a plain transfer() or transferFrom() of the token itself emits one Transfer: only other calls can hold twins,
    // so a tie of a hundred plain payments costs no look-up and the batch calls among them are all looked up
    let found = 0;
    for (const [txid, rows] of [...byTx]
      .filter(([, rows]) => mayHoldTwins(rows[0].record))
      .slice(0, MAX_TWIN_LOOKUPS)) {
      if (missing !== null && found >= missing) break;
      const res = await client.get("/api/transaction-info", { hash: txid }, deps.signal);
      summary.requests++;
      const n = transfersIn(res.body);
      if (!n) continue;
      for (const h of rows) {
        const times = n.get(transferKey(h.record)) ?? 0;
        if (times > h.mult) {
          rowsRead += times - h.mult;
          found += times - h.mult;
          h.mult = times;
        }
      }
    }
  };

  // ---- the walk: rows strictly after `floorBound` and at or before `end` are still to be proven ----
  let end = low !== null ? low : top;
  let pendingSlice: { lo: number; hi: number; count: number | null } | null = null;
  let remaining = plan.remaining;
  let stalls = 0;
  let empties = 0;
  const stall = (why: string) => {
    if (++stalls >= MAX_STALLS) {
      throw new StreamStalledError(
        `TronScan ${ENDPOINT_PATHS[endpoint]} for ${wallet}: ${stalls} answers in a row made no progress (${why}) ` +
          `while walking back from ${new Date(end).toISOString()}; the stream stops here (rows committed so far are kept)`,
      );
    }
  };
  const finish = async () => {
    await takeAbove(floorBound);
    await commit(cursorAt(null, true));
  };

  for (;;) {
    const ans = await fetchRange(floorBound, end, 0);
    const inRange = ans.rows.filter((r) => r.ts > floorBound && r.ts <= end);
    if (!inRange.length && ans.empty) {
      const e = onEmpty({ count: ans.count, empties: ++empties, remaining });
      if (e.action === "stall") {
        empties--;
        stall(e.why);
        continue;
      }
      if (e.action === "again") continue;
      if (e.despiteRemaining)
        deps.logger?.warn({
          msg: "Empty answers where the last page counted more rows: taken as the end",
          wallet,
          endpoint,
          counted: remaining,
          answers: empties,
        });
      if (pendingSlice) await verifySlice(pendingSlice, 0);
      await finish();
      break;
    }
    empties = 0;
    if (pendingSlice) {
      await verifySlice(pendingSlice, ans.count);
      pendingSlice = null;
    }
    absorb(ans, floorBound, end);
    const oldest = inRange.length ? Math.min(...inRange.map((r) => r.ts)) : null;
    const p = onPage({ inRange: inRange.length, oldest, end, count: ans.count, held: heldCount(floorBound, end) });
    if (p.action === "stall") {
      stall(p.why);
      continue;
    }
    if (p.action === "finish") {
      await finish();
      break;
    }
    stalls = 0;
    if (p.action === "tie") {
      await completeSlice(end - 1, end, null);
      await settleAbove(end - 1);
      remaining = ans.count === null ? null : ans.count - heldCount(end - 1, end);
      end -= 1;
      continue;
    }
    if (!p.counted) {
      // no count to check against: the slice is read again until a read brings nothing new
      await completeSlice(p.lo, end, null);
      await settleAbove(p.lo);
      remaining = null;
    } else {
      pendingSlice = { lo: p.lo, hi: end, count: ans.count };
      remaining = (ans.count ?? 0) - heldCount(p.lo, end);
    }
    end = p.lo; // rows at `lo` may continue on the next page: it starts with them again
  }

  async function verifySlice(slice: { lo: number; hi: number; count: number | null }, countBelow: number | null) {
    const want = sliceWant(slice.count, countBelow);
    if (want !== null && heldCount(slice.lo, slice.hi) < want) await completeSlice(slice.lo, slice.hi, want);
    await settleAbove(slice.lo);
  }

  summary.syncedToMs = range ? joinMs : top;
  return summary;
}
