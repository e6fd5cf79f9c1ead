// The monitor's own health, read from the run log and the sync cursors (health/checks.ts turns these into
// health alerts; reports/status.ts shows them).
import { HOUR_MS } from "../model/time.ts";
import { ENDPOINTS } from "../model/rows.ts";
import { labelled, raw, spelled, sql } from "../warehouse/sql.ts";
import { jsonValue, NODE_SOURCE, type Warehouse } from "../warehouse/types.ts";

export type WalletLag = { wallet: string; label: string | null; syncedToMs: number | null; lagMinutes: number | null };

/** How far behind each watched wallet's data is: now − the time up to which all its endpoints are complete. */
export async function walletLags(w: Warehouse, nowMs: number): Promise<WalletLag[]> {
  const rows = await w.query<{
    address: string;
    label: string | null;
    synced: string | null;
    complete: string;
    node_from: string | null;
  }>(
    labelled(
      "health.wallet_lags",
      sql`SELECT w.address, w.label, min(c.synced_to_ms) AS synced, count(c.synced_to_ms) AS complete,
      max(n.from_ms) AS node_from
    FROM wallets w LEFT JOIN sync_cursors c ON c.wallet = w.address LEFT JOIN node_coverage n ON n.wallet = w.address
    GROUP BY w.address, w.label ORDER BY w.address`,
    ),
  );
  // a wallet the block follower covers, backfilled by TronScan up to where the follower took over, is complete up to
  // the follower's cursor (warehouse/coverage.ts)
  // the follower's block counts no later than when it was loaded: a block dated in the future never hides a lag
  const [node] = await w.query<{ ts: string; loaded: string | null }>(
    labelled(
      "health.block_cursor",
      sql`SELECT timestamp_ms AS ts, ${raw(w.dialect.timestampToMs("updated_at"))} AS loaded FROM block_cursors
      WHERE source = ${NODE_SOURCE}`,
    ),
  );
  const nodeMs = !node
    ? null
    : Number(node.ts) <= nowMs
      ? Number(node.ts)
      : Math.min(nowMs, node.loaded === null ? 0 : Number(node.loaded));
  return rows.map((r) => {
    let synced = Number(r.complete) >= ENDPOINTS.length && r.synced !== null ? Number(r.synced) : null;
    if (synced !== null && nodeMs !== null && r.node_from !== null && synced >= Number(r.node_from))
      synced = Math.max(synced, nodeMs);
    return {
      wallet: r.address,
      label: r.label,
      syncedToMs: synced,
      lagMinutes: synced === null ? null : Math.max(0, Math.floor((nowMs - synced) / 60_000)),
    };
  });
}

/** Failed cycles in a row, most recent first (interrupted runs neither count nor break the streak). */
export async function failureStreak(w: Warehouse): Promise<number> {
  const runs = await w.query<{ status: string }>(
    labelled(
      "health.failure_streak",
      sql`SELECT status FROM runs WHERE status IN ('success', 'failed') ORDER BY started_at DESC LIMIT 1000`,
    ),
  );
  const i = runs.findIndex((r) => r.status !== "failed");
  return i === -1 ? runs.length : i;
}

/** Seconds TronScan made us wait (429/403 answers) in the runs of the last hour. */
export async function throttledSeconds(w: Warehouse, nowMs: number): Promise<number> {
  const runs = await w.query<{ counts: string | null }>(
    labelled(
      "health.throttled",
      sql`SELECT counts FROM runs WHERE started_at >= ${spelled(w.dialect.msToTimestamp, nowMs - HOUR_MS)}`,
    ),
  );
  const ms = runs.reduce((a, r) => a + Number((jsonValue<Record<string, number>>(r.counts) ?? {}).throttledMs ?? 0), 0);
  return Math.round(ms / 1000);
}
