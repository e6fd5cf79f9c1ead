// Hybrid operation (source.live: node): the block follower covers each watched wallet from the block after the cursor
// it joined at; everything up to that block's time comes from TronScan per wallet (backfill). A wallet's TronScan
// streams run until all four have synced past that time, and after that only for verify.
import { ENDPOINTS } from "../model/rows.ts";
import type { Warehouse } from "../warehouse/types.ts";

const CHUNK = 500;

/**
 * Records that the follower covers `wallets` from block `fromBlock` on; `fromMs` is the time TronScan must reach
 * (the last block not covered). Wallets already covered keep their record; covered wallets no longer followed lose
 * theirs (re-added later, they are covered from then and backfilled up to then).
 */
export async function recordCoverage(
  w: Warehouse,
  wallets: readonly string[],
  at: { fromBlock: number; fromMs: number },
): Promise<number> {
  const stored = new Set((await w.query<{ wallet: string }>("SELECT wallet FROM node_coverage")).map((r) => r.wallet));
  const watched = new Set(wallets);
  const fresh = wallets.filter((a) => !stored.has(a));
  const gone = [...stored].filter((a) => !watched.has(a));
  if (!fresh.length && !gone.length) return 0;
  await w.transaction(async (q) => {
    for (let i = 0; i < gone.length; i += CHUNK) {
      const c = gone.slice(i, i + CHUNK);
      await q(`DELETE FROM node_coverage WHERE wallet IN (${c.map(() => "?").join(", ")})`, c);
    }
    for (let i = 0; i < fresh.length; i += CHUNK) {
      const c = fresh.slice(i, i + CHUNK);
      const sql = w.dialect.insertMissingSql(
        "node_coverage",
        ["wallet", "from_block", "from_ms"],
        ["wallet"],
        c.length,
      );
      await q(
        sql,
        c.flatMap((a) => [a, at.fromBlock, at.fromMs]),
      );
    }
  });
  return fresh.length;
}

/**
 * The wallets TronScan still has to backfill: not covered by the follower yet, or with a stream that has not synced
 * up to the time the follower's coverage starts.
 */
export async function needingBackfill(w: Warehouse, wallets: readonly string[]): Promise<string[]> {
  const coverage = new Map(
    (await w.query<{ wallet: string; from_ms: string }>("SELECT wallet, from_ms FROM node_coverage")).map((r) => [
      r.wallet,
      Number(r.from_ms),
    ]),
  );
  const synced = new Map<string, { streams: number; minMs: number }>();
  for (const r of await w.query<{ wallet: string; endpoint: string; synced_to_ms: string | null }>(
    "SELECT wallet, endpoint, synced_to_ms FROM sync_cursors",
  )) {
    if (!ENDPOINTS.includes(r.endpoint as (typeof ENDPOINTS)[number])) continue;
    const s = synced.get(r.wallet) ?? { streams: 0, minMs: Number.POSITIVE_INFINITY };
    s.streams++;
    s.minMs = Math.min(s.minMs, r.synced_to_ms === null ? Number.NEGATIVE_INFINITY : Number(r.synced_to_ms));
    synced.set(r.wallet, s);
  }
  return wallets.filter((a) => {
    const from = coverage.get(a);
    const s = synced.get(a);
    return from === undefined || !s || s.streams < ENDPOINTS.length || s.minMs < from;
  });
}
