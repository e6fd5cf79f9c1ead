// What `verify` reads and writes: stored units per wallet, stream and day, and the verdicts it keeps.
import type { Endpoint } from "../model/rows.ts";
import { utcDaySql } from "../model/time.ts";
import { labelled, prepared, raw, sql } from "./sql.ts";
import type { Warehouse } from "./types.ts";

export type DayVerdict = {
  wallet: string;
  endpoint: Endpoint;
  dayMs: number;
  api: number | null;
  stored: number;
  verdict: string;
};

/** Stored units per `endpoint|day` in [fromMs, toMs): observations whose row is still there (and not dropped). */
export async function storedCounts(w: Warehouse, wallet: string, fromMs: number, toMs: number) {
  const day = raw(utcDaySql("o.timestamp_ms"));
  const rows = await w.query<{ endpoint: string; day_ms: string; n: string }>(
    labelled(
      "verify.stored_counts",
      sql`SELECT o.endpoint, ${day} AS day_ms, count(*) AS n
      FROM observations o
      WHERE o.wallet = ${wallet} AND o.timestamp_ms >= ${fromMs} AND o.timestamp_ms < ${toMs}
        AND (o.unit_kind = 'none'
          OR (o.unit_kind = 'transfer' AND EXISTS (SELECT 1 FROM transfers t
                WHERE t.transfer_id = o.unit_id AND t.status <> 'dropped'))
          OR (o.unit_kind = 'transaction' AND EXISTS (SELECT 1 FROM transactions x
                WHERE x.hash = o.unit_id AND x.status <> 'dropped')))
      GROUP BY o.endpoint, ${day}`,
    ),
  );
  return new Map(rows.map((r) => [`${r.endpoint}|${Number(r.day_ms)}`, Number(r.n)]));
}

/**
 * The days certified for a wallet in [fromMs, toMs): `endpoint|day` -> the stored count the day was certified with
 * (its last verdict ok or repaired). A day whose stored count has changed since is no longer certified.
 */
export async function certifiedDays(w: Warehouse, wallet: string, fromMs: number, toMs: number) {
  const rows = await w.query<{ endpoint: string; day_ms: string; stored: string }>(
    labelled(
      "verify.certified_days",
      sql`SELECT endpoint, day_ms, stored FROM verify_results
      WHERE wallet = ${wallet} AND day_ms >= ${fromMs} AND day_ms < ${toMs} AND verdict IN ('ok', 'repaired')`,
    ),
  );
  return new Map(rows.map((r) => [`${r.endpoint}|${Number(r.day_ms)}`, Number(r.stored)]));
}

/** When each wallet was last verified (its newest verdict), to verify the longest-waiting first. */
export async function lastVerified(w: Warehouse): Promise<Map<string, number>> {
  const rows = await w.query<{ wallet: string; ms: string }>(
    labelled("verify.last_verified", sql`SELECT wallet, max(checked_ms) AS ms FROM verify_results GROUP BY wallet`),
  );
  return new Map(rows.map((r) => [r.wallet, Number(r.ms)]));
}

/** Keeps the last verdict per wallet, stream and day. */
export async function saveVerdicts(w: Warehouse, days: DayVerdict[], nowMs: number): Promise<void> {
  if (!days.length) return;
  const cols = ["wallet", "endpoint", "day_ms", "api_count", "stored", "verdict", "checked_ms"];
  await w.transaction(async (q) => {
    for (let i = 0; i < days.length; i += 200) {
      const chunk = days.slice(i, i + 200);
      const upsert = w.dialect.upsertSql("verify_results", cols, ["wallet", "endpoint", "day_ms"], chunk.length);
      const params = chunk.flatMap((d) => [d.wallet, d.endpoint, d.dayMs, d.api, d.stored, d.verdict, nowMs]);
      await q(labelled("verify.save", prepared(upsert, params)));
    }
  });
}

/** Days whose rows are still missing after repair, per wallet, as the last verify of each day left them. */
export async function gapDays(w: Warehouse): Promise<Map<string, number>> {
  const rows = await w.query<{ wallet: string; n: string }>(
    labelled(
      "verify.gap_days",
      sql`SELECT wallet, count(*) AS n FROM verify_results WHERE verdict IN ('missing', 'still missing', 'unreliable') GROUP BY wallet`,
    ),
  );
  return new Map(rows.map((r) => [r.wallet, Number(r.n)]));
}
