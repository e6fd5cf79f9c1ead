// Unconfirmed transactions that stay unconfirmed past pending_max_age_hours are looked up by hash
// (/api/transaction-info): confirmed (with their final result), or `dropped` when TronScan no longer knows
// them (they never made it into a block and moved nothing). Rules, metrics and anomalies count only
// `success`, so a dropped transaction stops counting the moment it is settled.
import { statusOf } from "../normalize/common.ts";
import { DAY_MS } from "../model/time.ts";
import type { Warehouse } from "../warehouse/types.ts";
import type { TronscanClient } from "../source/tronscan/client.ts";

export type SettleCounts = { checked: number; confirmed: number; failed: number; dropped: number; pending: number };

/** Look-ups per cycle at most: a backlog is worked off over several cycles. */
export const SETTLE_PER_CYCLE = 50;

export async function settlePending(args: {
  warehouse: Warehouse;
  client: TronscanClient;
  nowMs: number;
  pendingMaxAgeMs: number;
  signal?: AbortSignal;
  max?: number;
}): Promise<SettleCounts> {
  const { warehouse: w } = args;
  const before = args.nowMs - args.pendingMaxAgeMs;
  const rows = await w.query<{ hash: string; timestamp_ms: string }>(
    `SELECT hash, min(timestamp_ms) AS timestamp_ms FROM (
       SELECT hash, timestamp_ms FROM transactions WHERE NOT confirmed AND status <> 'dropped' AND timestamp_ms < ?
       UNION ALL SELECT transaction_id, timestamp_ms FROM transfers WHERE NOT confirmed AND status <> 'dropped' AND timestamp_ms < ?) p
     GROUP BY hash ORDER BY min(timestamp_ms) LIMIT ${Math.max(1, Math.floor(args.max ?? SETTLE_PER_CYCLE))}`,
    [before, before],
  );
  const counts: SettleCounts = { checked: 0, confirmed: 0, failed: 0, dropped: 0, pending: 0 };
  for (const r of rows) {
    args.signal?.throwIfAborted();
    const res = await args.client.get("/api/transaction-info", { hash: r.hash }, args.signal);
    counts.checked++;
    const info = (res.body ?? {}) as Record<string, unknown>;
    const known = typeof info.hash === "string" || info.block !== undefined || info.contractRet !== undefined;
    let status: string;
    let confirmed: boolean;
    if (!known) {
      status = "dropped";
      confirmed = false;
      counts.dropped++;
    } else if (info.confirmed === true || info.confirmed === 1 || Number(info.confirmations ?? 0) >= 19) {
      status = statusOf({
        contractRet: typeof info.contractRet === "string" ? info.contractRet : null,
        revert: info.revert === true,
      });
      confirmed = true;
      if (status === "success") counts.confirmed++;
      else counts.failed++;
    } else {
      counts.pending++;
      continue; // known and still unconfirmed: asked again next cycle
    }
    const day = Math.floor(Number(r.timestamp_ms) / DAY_MS) * DAY_MS;
    await w.transaction(async (q) => {
      await q(`UPDATE transactions SET status = ?, confirmed = ?, updated_at = ${w.dialect.now()} WHERE hash = ?`, [
        status,
        confirmed,
        r.hash,
      ]);
      await q(
        `UPDATE transfers SET status = ?, confirmed = ?, updated_at = ${w.dialect.now()} WHERE transaction_id = ?`,
        [status, confirmed, r.hash],
      );
      await q(w.dialect.insertMissingSql("activity_days", ["day_ms"], ["day_ms"], 1), [day]);
    });
  }
  return counts;
}
