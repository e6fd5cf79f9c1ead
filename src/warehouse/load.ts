// One load, inside its transaction: the batch's rows staged and merged, the days they touch marked for the
// rollups, tokens, quarantine, the stream cursors, the block cursor and the coverage they prove — all or nothing.
import { applyBlacklist } from "./tether-events.ts";
import { createHash } from "node:crypto";
import { safeJson } from "../internal/json.ts";
import { collapseBatch } from "../model/merge.ts";
import type { NormalizedBatch, ObservationRow, TokenRow } from "../model/rows.ts";
import { utcDay } from "../model/time.ts";
import { writeCoverage } from "./coverage.ts";
import { OBSERVATION_STAGE, TRANSACTION_STAGE, TRANSFER_STAGE } from "./stage.ts";
import { chunks, lastByKey } from "./batching.ts";
import type { Tx } from "./driver.ts";
import {
  type BlockCursor,
  type BlockRange,
  type Coverage,
  type Cursor,
  type Dialect,
  emptyLoadCounts,
  type LoadCounts,
} from "./types.ts";
import {
  confirmedBlocksSql,
  droppedFromBlocksSql,
  mergeObservationsSql,
  mergeTransactionsSql,
  mergeTransfersSql,
  STAGE_OBSERVATIONS,
  STAGE_TRANSACTIONS,
  STAGE_TRANSFERS,
  storedTimes,
  storedTimesSql,
  supersededCallTransfersSql,
  type TimeRange,
  widen,
} from "./upsert.ts";

const CURSOR_COLUMNS = [
  "wallet",
  "endpoint",
  "synced_to_ms",
  "walk_top_ms",
  "walk_low_ms",
  "walk_floor_ms",
  "newest_ms",
  "updated_at",
];
const TOKEN_COLUMNS = ["token_id", "asset_type", "symbol", "name", "decimals", "level", "updated_at"];
const QUARANTINE_COLUMNS = ["quarantine_id", "endpoint", "reason", "record", "observed_at", "run_id"];
const BLOCK_CURSOR_COLUMNS = ["source", "number", "block_id", "timestamp_ms", "updated_at"];

/** What one session's loads share: the dialect, the tokens already written, a count of rows staged. */
export type LoadSession = { d: Dialect; storedTokens: Map<string, string>; staged: (rows: number) => void };

export type LoadInput = {
  batch: NormalizedBatch;
  cursors: Cursor[];
  runId: string;
  blockCursor?: BlockCursor;
  blockRange?: BlockRange;
  confirmRange?: BlockRange;
  coverage?: Coverage;
};

function timeRange(rows: { timestampMs: number }[]): TimeRange {
  let minMs = Infinity;
  let maxMs = -Infinity;
  for (const r of rows) {
    if (r.timestampMs < minMs) minMs = r.timestampMs;
    if (r.timestampMs > maxMs) maxMs = r.timestampMs;
  }
  return { minMs, maxMs };
}

export async function loadBatch(s: LoadSession, tx: Tx, input: LoadInput): Promise<LoadCounts> {
  const { batch } = input;
  const counts = emptyLoadCounts();
  const rows = collapseBatch(batch);
  s.staged(rows.transfers.length + rows.transactions.length + (batch.observations?.length ?? 0));
  for (const t of [STAGE_TRANSFERS, STAGE_TRANSACTIONS, STAGE_OBSERVATIONS]) await tx.run(`DELETE FROM ${t}`);
  if (rows.transfers.length) await tx.stage(STAGE_TRANSFERS, TRANSFER_STAGE, rows.transfers);
  if (rows.transactions.length) await tx.stage(STAGE_TRANSACTIONS, TRANSACTION_STAGE, rows.transactions);
  // rows that move to another time leave their old day: the rollups redo it too
  const movedDays = await mergeRows(s.d, tx, rows, counts);
  if (batch.observations?.length) await mergeObservations(tx, batch.observations);
  movedDays.push(...(await applyBlockRanges(s.d, tx, input, counts)));
  await markDays(s.d, tx, [
    ...rows.transfers,
    ...rows.transactions,
    ...movedDays.map((timestampMs) => ({ timestampMs })),
  ]);
  if (batch.tokens.length) await upsertTokens(s, tx, batch.tokens);
  if (batch.quarantined.length) counts.quarantined = await insertQuarantine(s.d, tx, batch, input.runId);
  if (input.cursors.length) await upsertCursors(s.d, tx, input.cursors);
  if (batch.blacklist?.length)
    await applyBlacklist(s.d, (q) => tx.run(q.text, [...q.params]) as never, batch.blacklist, Date.now());
  if (input.blockCursor) await upsertBlockCursor(s.d, tx, input.blockCursor);
  if (input.coverage) await writeCoverage((q) => tx.run(q.text, [...q.params]), s.d, input.coverage);
  return counts;
}

/** The staged transfers and transactions merged; returns the days rows moved away from. */
async function mergeRows(
  d: Dialect,
  tx: Tx,
  rows: ReturnType<typeof collapseBatch>,
  counts: LoadCounts,
): Promise<number[]> {
  const movedDays: number[] = [];
  if (rows.transfers.length) {
    const { range, c } = await mergeTable(tx, "transfers", rows.transfers, (r) => mergeTransfersSql(d, r), movedDays);
    counts.transfersNew = c.inserted;
    counts.transfersUpdated = c.updated;
    await tx.run(supersededCallTransfersSql(range));
  }
  if (rows.transactions.length) {
    const merge = (r: TimeRange) => mergeTransactionsSql(d, r);
    const { c } = await mergeTable(tx, "transactions", rows.transactions, merge, movedDays);
    counts.transactionsNew = c.inserted;
    counts.transactionsUpdated = c.updated;
  }
  return movedDays;
}

/** One table's staged rows merged over their time range, widened to where stored copies of them sit. */
async function mergeTable(
  tx: Tx,
  table: "transfers" | "transactions",
  rows: { timestampMs: number }[],
  mergeSql: (range: TimeRange) => string,
  movedDays: number[],
) {
  const stored = storedTimes(await tx.run(storedTimesSql(table)));
  movedDays.push(...stored.movedDays);
  const range = widen(timeRange(rows), stored);
  return { range, c: await tx.merge(table, mergeSql(range)) };
}

/** Rows of a re-read block range that the blocks no longer hold are dropped; a solid range is confirmed. */
async function applyBlockRanges(d: Dialect, tx: Tx, input: LoadInput, counts: LoadCounts): Promise<number[]> {
  const { blockRange, confirmRange } = input;
  const movedDays: number[] = [];
  if (blockRange) {
    for (const s of droppedFromBlocksSql(blockRange, d.now())) counts.dropped += await tx.changes(s);
    if (counts.dropped) movedDays.push(blockRange.fromMs, blockRange.toMs);
  }
  if (confirmRange) {
    for (const s of confirmedBlocksSql(confirmRange, d.now())) await tx.run(s);
    movedDays.push(confirmRange.fromMs, confirmRange.toMs);
  }
  return movedDays;
}

async function mergeObservations(tx: Tx, list: ObservationRow[]) {
  const unique = lastByKey(list, (o) => `${o.wallet}|${o.endpoint}|${o.unitId}`);
  await tx.stage(STAGE_OBSERVATIONS, OBSERVATION_STAGE, unique);
  for (const sql of mergeObservationsSql()) await tx.run(sql);
}

/** Days this batch touches, for the rules' rollup (same transaction as the rows). */
async function markDays(d: Dialect, tx: Tx, rows: { timestampMs: number }[]) {
  const days = [...new Set(rows.map((r) => utcDay(r.timestampMs)))];
  for (const c of chunks(days)) await tx.run(d.upsertSql("activity_days", ["day_ms"], ["day_ms"], c.length), c);
}

/** Tokens as last seen; a field the new observation lacks keeps its stored value. Unchanged ones are skipped. */
async function upsertTokens(s: LoadSession, tx: Tx, tokens: TokenRow[]) {
  const { d, storedTokens } = s;
  const changed = lastByKey(tokens, (t) => t.tokenId).filter((t) => storedTokens.get(t.tokenId) !== JSON.stringify(t));
  const now = Date.now();
  const opts = { convert: { updated_at: d.msToTimestamp }, keepWhenNull: ["symbol", "name", "decimals", "level"] };
  for (const c of chunks(changed)) {
    const params = c.flatMap((t) => [t.tokenId, t.assetType, t.symbol, t.name, t.decimals, t.level, now]);
    await tx.run(d.upsertSql("tokens", TOKEN_COLUMNS, ["token_id"], c.length, opts), params);
  }
  for (const t of changed) storedTokens.set(t.tokenId, JSON.stringify(t));
}

async function insertQuarantine(d: Dialect, tx: Tx, batch: NormalizedBatch, runId: string): Promise<number> {
  const rows = batch.quarantined.map((q) => {
    const record = safeJson(q.record);
    const id = createHash("sha256").update(`${q.endpoint}|${record}`).digest("hex").slice(0, 40);
    return [id, q.endpoint, q.reason, record, q.observedAtMs, runId];
  });
  const opts = { convert: { record: d.toJson, observed_at: d.msToTimestamp } };
  for (const c of chunks(lastByKey(rows, (r) => String(r[0]))))
    await tx.run(d.insertMissingSql("quarantine", QUARANTINE_COLUMNS, ["quarantine_id"], c.length, opts), c.flat());
  return rows.length;
}

async function upsertCursors(d: Dialect, tx: Tx, cursors: Cursor[]) {
  const list = lastByKey(cursors, (c) => `${c.wallet}|${c.endpoint}`);
  const now = Date.now();
  const params = list.flatMap((c) => [
    c.wallet,
    c.endpoint,
    c.syncedToMs,
    c.walkTopMs,
    c.walkLowMs,
    c.walkFloorMs,
    c.newestMs,
    now,
  ]);
  const opts = { convert: { updated_at: d.msToTimestamp } };
  await tx.run(d.upsertSql("sync_cursors", CURSOR_COLUMNS, ["wallet", "endpoint"], list.length, opts), params);
}

async function upsertBlockCursor(d: Dialect, tx: Tx, c: BlockCursor) {
  const params = [c.source, c.number, c.blockId, c.timestampMs, Date.now()];
  const opts = { convert: { updated_at: d.msToTimestamp } };
  await tx.run(d.upsertSql("block_cursors", BLOCK_CURSOR_COLUMNS, ["source"], 1, opts), params);
}
