// Unconfirmed transactions past their age: which to look up, and their settled state written back.
import { utcDay } from "../model/time.ts";
import { labelled, prepared, raw, sql } from "./sql.ts";
import type { Warehouse } from "./types.ts";

/** The oldest unconfirmed (and not dropped) transactions from before `beforeMs`, by hash, at most `max`. */
export async function oldPending(w: Warehouse, beforeMs: number, max: number) {
  const rows = await w.query<{ hash: string; timestamp_ms: string }>(
    labelled(
      "pending.old",
      sql`SELECT hash, min(timestamp_ms) AS timestamp_ms FROM (
       SELECT hash, timestamp_ms FROM transactions WHERE NOT confirmed AND status <> 'dropped' AND timestamp_ms <
         ${beforeMs}
       UNION ALL SELECT transaction_id, timestamp_ms FROM transfers
         WHERE NOT confirmed AND status <> 'dropped' AND timestamp_ms < ${beforeMs}) p
     GROUP BY hash ORDER BY min(timestamp_ms) LIMIT ${Math.max(1, Math.floor(max))}`,
    ),
  );
  return rows.map((r) => ({ hash: r.hash, timestampMs: Number(r.timestamp_ms) }));
}

/** A transaction's final state, on it and its transfers; its day is rolled up again. */
export async function settle(
  w: Warehouse,
  tx: { hash: string; timestampMs: number },
  state: { status: string; confirmed: boolean },
): Promise<void> {
  const now = raw(w.dialect.now());
  const set = sql`status = ${state.status}, confirmed = ${state.confirmed}, updated_at = ${now}`;
  await w.transaction(async (q) => {
    await q(labelled("pending.settle_transaction", sql`UPDATE transactions SET ${set} WHERE hash = ${tx.hash}`));
    await q(labelled("pending.settle_transfers", sql`UPDATE transfers SET ${set} WHERE transaction_id = ${tx.hash}`));
    const mark = w.dialect.insertMissingSql("activity_days", ["day_ms"], ["day_ms"], 1);
    await q(labelled("pending.mark_day", prepared(mark, [utcDay(tx.timestampMs)])));
  });
}
