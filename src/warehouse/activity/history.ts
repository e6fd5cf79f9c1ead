// The watched wallets' activity as one row source: each wallet's side of every transfer and (for counts)
// transaction in a time window, with one column list. The rollup's wallet_history is built from it.
import { raw, type Sql, sql } from "../sql.ts";
import { walletTransactions, walletTransfers } from "./wallet-side.ts";

/**
 * The watched wallets' transfers (and, for counts, their transactions) with a time in [fromMs, toMs]:
 * wallet, direction, counterparty, tx, transfer_id, status, asset_type, token_id, token_symbol, token_name, token_decimals,
 * block, timestamp_utc, amount, confirmed, contract_type, risk, token_level, amount_num, amount_raw, timestamp_ms,
 * is_transfer.
 */
export function activitySql(withTransactions: boolean, fromMs: number, toMs: number): Sql {
  const within = (a: string) => sql`${raw(a)}.timestamp_ms >= ${fromMs} AND ${raw(a)}.timestamp_ms <= ${toMs}`;
  const transfers = walletTransfers({
    select: raw(
      `t.transaction_id AS tx, t.transfer_id, t.status, t.asset_type, t.token_id, t.token_symbol, t.token_name,
      t.token_decimals, t.block, t.timestamp_utc, t.amount, t.confirmed, CAST(NULL AS INTEGER) AS contract_type,
      t.risk, t.token_level,
      t.amount_num, t.amount_raw, t.timestamp_ms, 1 AS is_transfer`,
    ),
    where: within("t"),
  });
  if (!withTransactions) return transfers;
  const transactions = walletTransactions({
    select: raw(`x.hash AS tx, CAST(NULL AS VARCHAR) AS transfer_id, x.status, CAST(NULL AS VARCHAR) AS asset_type,
      CAST(NULL AS VARCHAR) AS token_id,
      CAST(NULL AS VARCHAR) AS token_symbol, CAST(NULL AS VARCHAR) AS token_name, CAST(NULL AS INTEGER) AS token_decimals,
      x.block, x.timestamp_utc, CAST(NULL AS VARCHAR) AS amount, x.confirmed, x.contract_type,
      CAST(NULL AS BOOLEAN) AS risk, CAST(NULL AS VARCHAR) AS token_level,
      CAST(NULL AS DECIMAL(38,0)) AS amount_num,
      CAST(NULL AS VARCHAR) AS amount_raw, x.timestamp_ms, 0 AS is_transfer`),
    where: within("x"),
  });
  return sql`${transfers}
    UNION ALL ${transactions}`;
}
