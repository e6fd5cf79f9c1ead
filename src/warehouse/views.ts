// Views for one's own SQL: amounts as DECIMAL in token units (exact: cast from the stored decimal text, never
// divided), times as TIMESTAMP (UTC), severities spelled out. Created by migration 15; one text per dialect.
import { walletTransfers } from "./activity/wallet-side.ts";
import { raw } from "./sql.ts";
import type { Dialect } from "./types.ts";

/**
 * DECIMAL(38,18): 20 integer digits and 18 decimals — every real token amount. A value past that (a uint256 spam
 * amount) is NULL here; its exact text stays in `amount_text`.
 */
const decimal = (col: string) => `TRY_CAST(${col} AS DECIMAL(38,18))`;

export function viewsSql(d: Dialect): string[] {
  const ts = (col: string) => `${d.msToTimestamp(col)}`;
  const moved = walletTransfers({
    select:
      raw(`t.transfer_id, t.transaction_id, t.block, ${ts("t.timestamp_ms")} AS time_utc, t.asset_type, t.token_id,
      t.token_symbol, t.token_decimals, ${decimal("t.amount")} AS amount, t.amount AS amount_text,
      t.amount_num AS amount_raw, t.status, t.confirmed, t.risk AS token_risk`),
  }).text;
  return [
    `CREATE OR REPLACE VIEW v_wallet_transfers AS\n${moved}`,
    `CREATE OR REPLACE VIEW v_alerts AS SELECT alert_id, rule_name, wallet, kind,
      CASE WHEN kind = 'health' THEN 'critical' ELSE 'warning' END AS severity, status,
      ${decimal("value")} AS value, ${decimal("threshold")} AS threshold, token_id, token_symbol, direction, period_days,
      ${ts("first_seen_ms")} AS first_seen_utc, ${ts("last_seen_ms")} AS last_seen_utc,
      CASE WHEN resolved_at_ms IS NULL THEN NULL ELSE ${ts("resolved_at_ms")} END AS resolved_at_utc, note, acted_by
    FROM alerts`,
    `CREATE OR REPLACE VIEW v_anomalies AS SELECT anomaly_id, anomaly_type, severity, wallet, transaction_id,
      transfer_id, token_id, token_symbol, ${decimal("amount")} AS amount, amount AS amount_text, reason,
      CASE WHEN occurred_at_ms IS NULL THEN NULL ELSE ${ts("occurred_at_ms")} END AS occurred_at_utc,
      ${ts("detected_at_ms")} AS detected_at_utc,
      CASE WHEN reviewed_at_ms IS NULL THEN NULL ELSE ${ts("reviewed_at_ms")} END AS reviewed_at_utc, reviewed_by,
      suppressed_by
    FROM anomalies`,
  ];
}
