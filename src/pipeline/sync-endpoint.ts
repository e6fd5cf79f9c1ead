// Gap-free sync of one wallet on one endpoint. Pages newest -> oldest anchored on end_timestamp
// (keyset paging), so the start+limit <= 10000 window is never a wall and new rows arriving at the top
// never shift offsets. The cursor moves in the same transaction as the rows of each page.
import { appendBatch, emptyBatch, ENDPOINT_PATHS, ENDPOINT_WALLET_PARAM, type Endpoint, type NormalizedBatch } from "../model/rows.ts";
import { normalizeRecords } from "../normalize/index.ts";
import { recognisePage } from "../normalize/page.ts";
import { SourceUnavailableError } from "../internal/errors.ts";
import { calledContracts, type TokenCache } from "./tokens.ts";
import { addLoadCounts, type Cursor, type LoadCounts, type Warehouse } from "../warehouse/types.ts";
import type { TronscanClient } from "../source/tronscan/client.ts";
import type { Archive } from "../source/archive.ts";
import type { RunOutputs } from "./outputs.ts";

export const PAGE_LIMIT = 50;
export const OFFSET_WINDOW = 10_000;

export type SyncSettings = {
  /** Pages are committed (rows + cursor, one transaction) once this many rows are buffered... */
  flushRows?: number;
  /** ...or this long after the last commit, and always at the end of a walk. */
  flushMs?: number;
  historyStartMs: number;
  overlapMs: number;
  pendingMaxAgeMs: number;
};

export type EndpointSummary = LoadCounts & {
  wallet: string;
  endpoint: Endpoint;
  mode: "backfill" | "incremental" | "resume";
  pages: number;
  requests: number;
  skipped: number;
  syncedToMs: number | null;
};

export type Progress = (p: { wallet: string; endpoint: Endpoint; rows: number; expected: number | null; reachedMs: number | null }) => void;

type Deps = {
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
};

const tsOf = (r: unknown): number | null => {
  const o = r as Record<string, unknown>;
  const v = Number(o?.timestamp ?? o?.block_ts);
  return Number.isFinite(v) ? v : null;
};
const keyOf = (r: unknown): string => {
  const o = r as Record<string, unknown>;
  return [o?.hash, o?.transactionHash, o?.transaction_id, o?.transferFromAddress, o?.from_address, o?.transferToAddress, o?.to_address, o?.amount, o?.quant, o?.contract_address, o?.event_type].join("|");
};

export async function syncEndpoint(deps: Deps, wallet: string, endpoint: Endpoint): Promise<EndpointSummary> {
  const { warehouse, client, settings } = deps;
  const stored = await warehouse.getCursor(wallet, endpoint);
  let mode: EndpointSummary["mode"];
  let top: number, floor: number, low: number | null;
  const joinMs = stored?.syncedToMs ?? null;
  /** Rows up to here are already held: the newest row seen, or the last walk's top if that is older. */
  const heldUpTo = joinMs === null ? null : Math.min(joinMs, stored?.newestMs ?? joinMs);
  if (stored?.walkTopMs != null) {
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

  const summary: EndpointSummary = {
    wallet, endpoint, mode, pages: 0, requests: 0, transactionsNew: 0, transactionsUpdated: 0, transfersNew: 0,
    transfersUpdated: 0, quarantined: 0, skipped: 0, syncedToMs: joinMs,
  };
  let newest = stored?.newestMs ?? null;
  const cursorAt = (walkLow: number | null, done: boolean): Cursor => done
    ? { wallet, endpoint, syncedToMs: top, walkTopMs: null, walkLowMs: null, walkFloorMs: null, newestMs: newest }
    : { wallet, endpoint, syncedToMs: joinMs, walkTopMs: top, walkLowMs: walkLow, walkFloorMs: floor, newestMs: newest };

  // end_timestamp: rows at or before `low` are still to read (inclusive or exclusive bound: +1 covers both).
  let end = low !== null ? low + 1 : top;
  let skip = 0;
  let anchorTs: number | null = null;
  let seenAtAnchor = new Set<string>();
  let rowsRead = 0;
  let expected: number | null = null;
  let pending: NormalizedBatch = emptyBatch();
  let lastFlush = Date.now();
  const flush = async (cursor: Cursor) => {
    const counts = await warehouse.load({ batch: pending, cursors: [cursor], runId: deps.runId });
    addLoadCounts(summary, counts);
    summary.skipped += pending.skipped;
    pending = emptyBatch();
    lastFlush = Date.now();
  };

  for (;;) {
    deps.signal?.throwIfAborted();
    const limit = Math.min(PAGE_LIMIT, OFFSET_WINDOW - skip);
    if (limit <= 0) throw new SourceUnavailableError(`more than ${OFFSET_WINDOW} ${endpoint} rows of ${wallet} share one timestamp (${anchorTs}); TronScan cannot page past them`);
    const params: Record<string, string | number> = {
      [ENDPOINT_WALLET_PARAM[endpoint]]: wallet, start: skip, limit, sort: "-timestamp",
      start_timestamp: floor, end_timestamp: end,
    };
    if (endpoint !== "trc20") params.count = "true";
    const res = await client.get(ENDPOINT_PATHS[endpoint], params, deps.signal);
    summary.requests++;
    deps.archive.save({ endpoint, wallet, response: res });
    const page = recognisePage(res.body, endpoint);
    if ("error" in page) throw new SourceUnavailableError(`TronScan ${ENDPOINT_PATHS[endpoint]} answered with ${page.error}`);
    if (expected === null) {
      const range = Number((res.body as Record<string, unknown>).rangeTotal ?? (res.body as Record<string, unknown>).total);
      expected = Number.isFinite(range) ? range : null;
    }
    const records = page.records;
    summary.pages++;
    if (!records.length) {
      await flush(cursorAt(null, true));
      break;
    }

    const stamps = records.map(tsOf).filter((t): t is number => t !== null);
    const oldest: number = stamps.length ? Math.min(...stamps) : anchorTs ?? end;
    if (stamps.length) newest = Math.max(newest ?? -Infinity, ...stamps);
    const allSameTs = stamps.length === records.length && stamps.every((t) => t === oldest);
    const fresh = records.filter((r) => !seenAtAnchor.has(keyOf(r)));
    const progressed = anchorTs === null || oldest < anchorTs;

    // Decide the next request and whether this page ends the walk. Pages can be short anywhere in the
    // history, so only an empty page (or joining the range already held) ends a walk.
    let done = false;
    if (oldest < floor) done = true; // reached below the floor
    else if (heldUpTo !== null && records.length < limit && oldest <= heldUpTo) done = true; // joined the range already held
    if (allSameTs) {
      // A page of one timestamp (a tie group larger than a page, a capped page size, or the last rows of
      // history): walk it by offset under the same anchor; older rows or an empty answer end it.
      skip = end === oldest + 1 ? skip + records.length : records.length;
      end = oldest + 1;
    } else if (!fresh.length && !progressed) {
      skip += records.length; // only re-read rows (records without timestamps aside): step past them
    } else {
      end = oldest + 1;
      skip = 0;
    }
    if (oldest !== anchorTs) seenAtAnchor = new Set();
    anchorTs = oldest;
    for (const r of records) if (tsOf(r) === oldest) seenAtAnchor.add(keyOf(r));

    const found = endpoint === "transaction" ? await deps.tokens.fill(calledContracts(records), client, deps.signal) : [];
    summary.requests += found.length;
    const batch = normalizeRecords({ endpoint, records, observedAtMs: res.fetchedAtMs, tokens: deps.tokens.lookup });
    batch.tokens.push(...found);
    deps.tokens.add(batch.tokens);
    deps.outputs?.write(batch);
    appendBatch(pending, batch);
    // Rows newer than `oldest` are complete; rows at `oldest` may continue on the next page.
    low = oldest;
    const size = pending.transactions.length + pending.transfers.length;
    if (done || size >= (settings.flushRows ?? 5000) || Date.now() - lastFlush >= (settings.flushMs ?? 2000)) await flush(cursorAt(low, done));
    rowsRead += records.length;
    deps.onProgress?.({ wallet, endpoint, rows: rowsRead, expected, reachedMs: oldest });
    if (done) break;
  }
  summary.syncedToMs = top;
  return summary;
}
