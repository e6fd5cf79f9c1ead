// Reading the wallet metrics at a given time (`tronmon metrics`, the dashboard's wallet page).
import { labelled, raw, type Sql, sql } from "../sql.ts";
import type { Warehouse } from "../types.ts";
import { walletMetricsSql, walletTokenMetricsSql } from "./metrics-sql.ts";

type Row = Record<string, string | null>;

/** A time in ms as an SQL literal (the metrics' "now"). */
const msLiteral = (ms: number) => raw(String(Math.trunc(ms)));

/** Per wallet and token metrics over the activity rows `rows` (an Sql value) at `nowMs`. */
export function tokenMetricsOver(nowMs: number, rows: Sql): Sql {
  return walletTokenMetricsSql(msLiteral(nowMs), sql`(${rows})`);
}

/** The metrics of every watched wallet (or one) at `nowMs`: per wallet, and per wallet and token. */
export async function walletMetrics(w: Warehouse, nowMs: number, wallet?: string) {
  const now = msLiteral(nowMs);
  const wallets = await w.query<Row>(
    labelled(
      "metrics.wallets",
      sql`SELECT * FROM (${walletMetricsSql(now)}) m
      WHERE ${wallet === undefined ? raw("TRUE") : sql`observed_wallet = ${wallet}`} ORDER BY observed_wallet`,
    ),
  );
  const tokens = await w.query<Row>(
    labelled(
      "metrics.wallet_tokens",
      sql`SELECT * FROM (${walletTokenMetricsSql(now)}) m
      WHERE ${wallet === undefined ? raw("TRUE") : sql`wallet = ${wallet}`} ORDER BY wallet, transfers DESC`,
    ),
  );
  return { wallets, tokens };
}

/** Successful transfers and exact in/out raw volumes per wallet and token since `sinceMs` (the demo's table). */
export const tokenVolumes = (w: Warehouse, sinceMs: number) =>
  w.query<Record<string, string>>(
    labelled(
      "metrics.token_volumes",
      sql`SELECT coalesce(max(wl.label), a.wallet) AS wallet, max(a.token_symbol) AS token_symbol,
        max(a.token_name) AS token_name, a.token_id, max(a.token_decimals) AS token_decimals, count(*) AS transfers,
        CAST(sum(CASE WHEN direction = 'in' THEN amount_num ELSE 0 END) AS VARCHAR) AS in_raw,
        CAST(sum(CASE WHEN direction = 'out' THEN amount_num ELSE 0 END) AS VARCHAR) AS out_raw
      FROM wallet_activity a JOIN wallets wl ON wl.address = a.wallet
      WHERE a.kind = 'transfer' AND a.status = 'success' AND a.amount_num IS NOT NULL AND a.token_decimals IS NOT NULL
        AND a.timestamp_ms >= ${sinceMs}
      GROUP BY a.wallet, a.token_id ORDER BY wallet, transfers DESC`,
    ),
  );
