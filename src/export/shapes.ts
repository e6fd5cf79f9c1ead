// The exported shape of an alert and of an anomaly: what the JSON exports, the CLI's --json and the
// notifications carry (exact decimal strings, ISO 8601 UTC times).
import { type Alert, tokenRule } from "../model/alerts.ts";
import { isoUtc } from "../model/columns.ts";
import { healthUnit } from "../model/health-rules.ts";

/**
 * An alert as exported. Column names are snake_case in every export (alerts, anomalies, transfers, transactions);
 * the original system's upper-case WALLET, RULE, VALUE, THRESHOLD, TIMESTAMP are wallet, rule, value, threshold,
 * exported_at.
 */
export function alertExport(a: Alert, nowMs: number) {
  return {
    alert_id: a.alertId,
    wallet: a.wallet,
    rule: a.ruleName,
    value: a.value,
    threshold: a.threshold,
    exported_at: isoUtc(nowMs),
    status: a.status,
    token: a.tokenId,
    token_symbol: a.tokenSymbol,
    direction: a.direction,
    unit:
      healthUnit(a.ruleName) ??
      (a.kind === "exposure_share" ? "percent" : tokenRule(a.kind) ? (a.tokenSymbol ?? a.tokenId) : "transactions"),
    period_days: a.periodDays,
    first_seen: isoUtc(a.firstSeenMs),
    last_seen: isoUtc(a.lastSeenMs),
    resolved_at: a.resolvedAtMs === null ? null : isoUtc(a.resolvedAtMs),
    note: a.note,
    acted_by: a.actedBy,
  };
}

export function anomalyExport(r: Record<string, unknown>) {
  return {
    wallet: r.wallet,
    transaction_id: r.transaction_id,
    anomaly_type: r.anomaly_type,
    severity: r.severity ?? null,
    amount: r.amount,
    reason: r.reason,
    token: r.token_id,
    token_symbol: r.token_symbol,
    amount_raw: r.amount_raw,
    detected_at: isoUtc(Number(r.detected_at_ms)),
    occurred_at: r.occurred_at_ms === null ? null : isoUtc(Number(r.occurred_at_ms)),
    anomaly_id: r.anomaly_id,
    transfer_id: r.transfer_id,
    details: typeof r.details === "string" ? JSON.parse(r.details) : r.details,
    reviewed_by: r.reviewed_by ?? null,
    suppressed_by: r.suppressed_by ?? null,
  };
}
