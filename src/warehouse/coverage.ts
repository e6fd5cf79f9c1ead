// Hybrid operation (source.live: node): since when the block follower covers each watched wallet (node_coverage),
// written in the same transaction as the first range of blocks it loaded for them; everything before comes from
// TronScan per wallet (backfill), whose streams run until all four have synced past that time, then only for verify.
import { ENDPOINTS } from "../model/rows.ts";
import { type Labelled, labelled, list, prepared, sql } from "./sql.ts";
import type { Coverage, Dialect, Warehouse } from "./types.ts";

/** Runs one labelled statement: a Warehouse's query, or one inside a load's transaction. */
type Run = (q: Labelled) => Promise<Record<string, unknown>[]>;
const CHUNK = 500;

/**
 * Records `c`: wallets already covered keep their record; covered wallets no longer followed lose theirs (re-added
 * later, they are covered from then and backfilled up to then). Returns how many wallets were added.
 */
export async function writeCoverage(run: Run, d: Dialect, c: Coverage): Promise<number> {
  const rows = await run(labelled("coverage.wallets", sql`SELECT wallet FROM node_coverage`));
  const stored = new Set(rows.map((r) => String(r.wallet)));
  const watched = new Set(c.wallets);
  const fresh = c.wallets.filter((a) => !stored.has(a));
  const gone = [...stored].filter((a) => !watched.has(a));
  for (let i = 0; i < gone.length; i += CHUNK) {
    const part = gone.slice(i, i + CHUNK);
    await run(labelled("coverage.remove", sql`DELETE FROM node_coverage WHERE wallet IN (${list(part)})`));
  }
  for (let i = 0; i < fresh.length; i += CHUNK) {
    const part = fresh.slice(i, i + CHUNK);
    const text = d.insertMissingSql("node_coverage", ["wallet", "from_block", "from_ms"], ["wallet"], part.length);
    await run(
      labelled(
        "coverage.add",
        prepared(
          text,
          part.flatMap((a) => [a, c.fromBlock, c.fromMs]),
        ),
      ),
    );
  }
  return fresh.length;
}

/**
 * The wallets TronScan still has to backfill: not covered by the follower yet, or with a stream that has not synced
 * up to the time the follower's coverage starts.
 */
export async function walletsNeedingBackfill(run: Run, wallets: readonly string[]): Promise<string[]> {
  const coverage = new Map(
    (await run(labelled("coverage.from", sql`SELECT wallet, from_ms FROM node_coverage`))).map((r) => [
      String(r.wallet),
      Number(r.from_ms),
    ]),
  );
  const synced = new Map<string, { streams: number; minMs: number }>();
  const cursors = await run(labelled("coverage.cursors", sql`SELECT wallet, endpoint, synced_to_ms FROM sync_cursors`));
  for (const r of cursors) {
    if (!ENDPOINTS.includes(r.endpoint as (typeof ENDPOINTS)[number])) continue;
    const wallet = String(r.wallet);
    const s = synced.get(wallet) ?? { streams: 0, minMs: Number.POSITIVE_INFINITY };
    s.streams++;
    s.minMs = Math.min(s.minMs, r.synced_to_ms === null ? Number.NEGATIVE_INFINITY : Number(r.synced_to_ms));
    synced.set(wallet, s);
  }
  return wallets.filter((a) => {
    const from = coverage.get(a);
    const s = synced.get(a);
    return from === undefined || !s || s.streams < ENDPOINTS.length || s.minMs < from;
  });
}

/**
 * Per covered wallet, the span of time its rows come from blocks: from the block it is covered from to the block
 * follower's cursor (verify says which source a disagreeing day's rows came from).
 */
export async function blockSpans(run: Run): Promise<Map<string, { fromMs: number; toMs: number }>> {
  const rows = await run(
    labelled(
      "coverage.block_spans",
      sql`SELECT n.wallet, n.from_ms, c.timestamp_ms FROM node_coverage n, block_cursors c WHERE c.source = 'node'`,
    ),
  );
  return new Map(rows.map((r) => [String(r.wallet), { fromMs: Number(r.from_ms), toMs: Number(r.timestamp_ms) }]));
}

/** The wallets TronScan still has to backfill (the schedule's cycles in hybrid operation). */
export const needingBackfill = (w: Warehouse, wallets: readonly string[]) =>
  walletsNeedingBackfill((q) => w.query(q), wallets);

/** Records coverage outside a load, in its own transaction (the follower records it inside its first load). */
export const recordCoverage = (w: Warehouse, wallets: readonly string[], at: { fromBlock: number; fromMs: number }) =>
  w.transaction((q) => writeCoverage(q, w.dialect, { wallets, ...at }));
