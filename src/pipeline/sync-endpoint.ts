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
import { SourceUnavailableError } from "../internal/errors.ts";
import { calledContracts, type TokenCache } from "./tokens.ts";
import { addLoadCounts, type Cursor, type LoadCounts, type Warehouse } from "../warehouse/types.ts";
import type { TronscanClient } from "../source/tronscan/client.ts";
import type { Archive } from "../source/archive.ts";
import type { RunOutputs } from "./outputs.ts";
import type { Logger } from "../internal/logger.ts";

export const PAGE_LIMIT = 50;
export const OFFSET_WINDOW = 10_000;
/** Answers in a row that neither move the anchor nor add a row before the stream fails. */
export const MAX_STALLS = 4;
/** Pages spent completing one slice or timestamp at the most, and pages in a row without a new row before giving up. */
export const MAX_SLICE_PAGES = 600;
export const MAX_IDLE_PAGES = 200;
/** /api/transaction-info look-ups spent settling twins in one slice. */
const MAX_TWIN_LOOKUPS = 40;

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
  mode: "backfill" | "incremental" | "resume" | "range";
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
};

type Row = { key: string; ts: number; record: unknown };
type Answer = { rows: Row[]; timeless: unknown[]; count: number | null; empty: boolean; fetchedAtMs: number };
type Held = { record: unknown; mult: number };

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

/** A bound no block time can sit on (block times are whole seconds). */
const offGrid = (ms: number) => (ms % 1000 === 0 ? ms - 1 : ms);
/**
 * The query bound for "after x" or "up to x": off the whole-second grid, so that inclusive and exclusive readings
 * agree.
 */
const bound = (ms: number) => (ms % 1000 === 0 ? ms + 1 : ms);

export class StreamStalledError extends SourceUnavailableError {
  override name = "StreamStalledError";
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
  let mode: EndpointSummary["mode"];
  let top: number, floor: number, low: number | null;
  const joinMs = stored?.syncedToMs ?? null;
  /** Rows up to here are already held: the newest row seen, or the last walk's top if that is older. */
  const heldUpTo = joinMs === null ? null : Math.min(joinMs, stored?.newestMs ?? joinMs);
  if (range) {
    mode = "range";
    top = range.toMs;
    floor = range.fromMs;
    low = null;
  } else if (stored?.walkTopMs != null) {
    mode = "resume";
    top = stored.walkTopMs;
    floor = stored.walkFloorMs ?? settings.historyStartMs;
    low = stored.walkLowMs;
  } else if (heldUpTo !== null) {
    mode = "incremental";
    top = deps.nowMs;
    floor = Math.max(settings.historyStartMs, heldUpTo - settings.overlapMs);
    const pending = await warehouse.oldestPendingMs(wallet, deps.nowMs - settings.pendingMaxAgeMs);
    if (pending !== null) floor = Math.max(settings.historyStartMs, Math.min(floor, pending));
    low = null;
  } else {
    mode = "backfill";
    top = deps.nowMs;
    floor = settings.historyStartMs;
    low = null;
  }
  // rows strictly after `floorBound` and at or before the walk's end are this walk's
  const floorBound = offGrid(floor);

  const summary: EndpointSummary = {
    wallet,
    endpoint,
    mode,
    pages: 0,
    requests: 0,
    transactionsNew: 0,
    transactionsUpdated: 0,
    transfersNew: 0,
    transfersUpdated: 0,
    quarantined: 0,
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

  // ---- rows held but not yet committed, by timestamp, with their multiplicity (twins) ----
  const held = new Map<number, Map<string, Held>>();
  let observedAtMs = 0;
  let rowsRead = 0;
  let expected: number | null = null;

  const absorb = (ans: Answer, loExclusive: number, hiInclusive: number): number => {
    let added = 0;
    const perKey = new Map<string, Row & { n: number }>();
    for (const r of ans.rows) {
      if (r.ts <= loExclusive || r.ts > hiInclusive) continue;
      const p = perKey.get(r.key);
      if (p) p.n++;
      else perKey.set(r.key, { ...r, n: 1 });
    }
    for (const r of perKey.values()) {
      let g = held.get(r.ts);
      if (!g) held.set(r.ts, (g = new Map()));
      const h = g.get(r.key);
      if (!h) {
        g.set(r.key, { record: r.record, mult: r.n });
        added += r.n;
      } else if (r.n > h.mult) {
        added += r.n - h.mult;
        h.mult = r.n;
      }
    }
    if (ans.timeless.length)
      pendingBatch.quarantined.push(
        ...ans.timeless.map((record) => ({
          endpoint,
          reason: "the record has no timestamp",
          record,
          observedAtMs: ans.fetchedAtMs,
        })),
      );
    observedAtMs = Math.max(observedAtMs, ans.fetchedAtMs);
    rowsRead += added;
    return added;
  };
  const heldCount = (loExclusive: number, hiInclusive: number): number => {
    let n = 0;
    for (const [ts, g] of held) if (ts > loExclusive && ts <= hiInclusive) for (const h of g.values()) n += h.mult;
    return n;
  };

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
    let res, page;
    for (let attempt = 1; ; attempt++) {
      res = await client.get(ENDPOINT_PATHS[endpoint], params, deps.signal);
      summary.requests++;
      summary.pages++;
      deps.archive.save({ endpoint, wallet, response: res });
      page = recognisePage(res.body, endpoint);
      if (!("error" in page)) break;
      // a body that is not a page (`{"data":null}`, an unknown envelope): asked again, then the stream fails
      if (attempt >= 3)
        throw new SourceUnavailableError(
          `TronScan ${ENDPOINT_PATHS[endpoint]} for ${wallet} answered ${attempt} times with ${page.error}`,
        );
    }
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
    const stamps = [...held.keys()].filter((ts) => ts > loExclusive).sort((a, b) => b - a);
    for (const ts of stamps) {
      const records: unknown[] = [];
      for (const h of held.get(ts)!.values()) for (let i = 0; i < h.mult; i++) records.push(h.record);
      held.delete(ts);
      const found =
        endpoint === "transaction" ? await deps.tokens.fill(calledContracts(records), client, deps.signal) : [];
      summary.requests += found.length;
      const batch = normalizeRecords({ endpoint, records, observedAtMs, tokens: deps.tokens.lookup, wallet });
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
    const hopeless = () =>
      target !== null &&
      idlePages >= Math.min(MAX_IDLE_PAGES, Math.max(8, Math.ceil((14 * target) / (pageRows || PAGE_LIMIT))));
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
        await settleTwins(lo, hi); // identical rows of one transaction may be what is "missing"
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
  const settleTwins = async (lo: number, hi: number) => {
    const byTx = new Map<string, Held[]>();
    for (const [ts, g] of held) {
      if (ts <= lo || ts > hi) continue;
      for (const h of g.values()) {
        const txid = String((h.record as Record<string, unknown>).transaction_id ?? "");
        if (txid) byTx.set(txid, [...(byTx.get(txid) ?? []), h]);
      }
    }
    for (const [txid, rows] of [...byTx].slice(0, MAX_TWIN_LOOKUPS)) {
      const res = await client.get("/api/transaction-info", { hash: txid }, deps.signal);
      summary.requests++;
      const body = (res.body ?? {}) as Record<string, unknown>;
      const list = [body.trc20TransferInfo, body.transfersAllList].find(Array.isArray) as
        | Record<string, unknown>[]
        | undefined;
      if (!list) continue;
      const n = new Map<string, number>();
      const tuple = (contract: unknown, from: unknown, to: unknown, amount: unknown) =>
        `${contract}|${from}|${to}|${amount}`;
      for (const t of list) {
        if (t.type !== undefined && t.type !== "Transfer") continue;
        const k = tuple(t.contract_address, t.from_address, t.to_address, t.amount_str ?? t.amount ?? t.quant);
        n.set(k, (n.get(k) ?? 0) + 1);
      }
      for (const h of rows) {
        const r = h.record as Record<string, unknown>;
        const times = n.get(tuple(r.contract_address, r.from_address, r.to_address, r.quant)) ?? 0;
        if (times > h.mult) {
          rowsRead += times - h.mult;
          h.mult = times;
        }
      }
    }
  };

  // ---- the walk ----
  let end = low !== null ? low : top;
  let pendingSlice: { lo: number; hi: number; count: number | null } | null = null;
  /**
   * Rows the API counted in [floor, end] that are not held yet, as far as the last page said (null: unknown).
   * An incremental walk starts knowing one: the newest row held lies inside its window (the overlap), so an
   * empty first answer there is spurious, not the end.
   */
  let remaining: number | null =
    mode === "incremental" && stored?.newestMs != null && stored.newestMs > floorBound && stored.newestMs <= top
      ? 1
      : null;
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

  for (;;) {
    const ans = await fetchRange(floorBound, end, 0);
    const inRange = ans.rows.filter((r) => r.ts > floorBound && r.ts <= end);
    if (!inRange.length && ans.empty) {
      // an empty answer proves nothing by itself: never while a count says rows remain, and only once a
      // second request agrees (a third without counts; a few more when the last page counted rows below here)
      if (ans.count !== null && ans.count > 0) {
        stall(`an empty page while the API counts ${ans.count} rows`);
        continue;
      }
      empties++;
      // two empty answers in a row end the walk; three where the API gives no count (nothing else to check against)
      const needed = remaining !== null && remaining > 0 ? MAX_STALLS : ans.count === null ? 3 : 2;
      if (empties < needed) continue;
      if (remaining !== null && remaining > 0) {
        deps.logger?.warn({
          msg: "Empty answers where the last page counted more rows: taken as the end",
          wallet,
          endpoint,
          counted: remaining,
          answers: empties,
        });
      }
      if (pendingSlice) await verifySlice(pendingSlice, 0);
      await takeAbove(floorBound);
      await commit(cursorAt(null, true));
      break;
    }
    empties = 0;
    if (pendingSlice) {
      await verifySlice(pendingSlice, ans.count);
      pendingSlice = null;
    }
    absorb(ans, floorBound, end);
    if (!inRange.length) {
      stall("rows outside the requested time range only: the API may be ignoring end_timestamp");
      continue;
    }
    const oldest = Math.min(...inRange.map((r) => r.ts));
    if (ans.count !== null && heldCount(floorBound, end) >= ans.count) {
      // every row the API counts down to the floor is held
      await takeAbove(floorBound);
      await commit(cursorAt(null, true));
      break;
    }
    stalls = 0;
    if (oldest === end) {
      // the page did not get below its anchor: one timestamp holds at least a page of rows
      await completeSlice(end - 1, end, null);
      await settleAbove(end - 1);
      remaining = ans.count === null ? null : ans.count - heldCount(end - 1, end);
      end -= 1;
      continue;
    }
    if (ans.count === null) {
      // no count to check against: the slice is read again until a read brings nothing new
      await completeSlice(oldest, end, null);
      await settleAbove(oldest);
      remaining = null;
    } else {
      pendingSlice = { lo: oldest, hi: end, count: ans.count };
      remaining = ans.count - heldCount(oldest, end);
    }
    end = oldest; // rows at `oldest` may continue on the next page: it starts with them again
  }

  async function verifySlice(slice: { lo: number; hi: number; count: number | null }, countBelow: number | null) {
    const want = slice.count !== null && countBelow !== null ? slice.count - countBelow : null;
    if (want !== null && heldCount(slice.lo, slice.hi) < want) await completeSlice(slice.lo, slice.hi, want);
    await settleAbove(slice.lo);
  }

  summary.syncedToMs = range ? joinMs : top;
  return summary;
}
