// The anomaly types, in one place: the detectors, the config, the CLI, the dashboard and the notifications
// all take their list from here.
export const ANOMALY_TYPES = [
  "large_transaction",
  "burst_activity",
  "new_counterparty",
  "address_poisoning",
  "fake_token",
  "spam_token",
] as const;

export type AnomalyType = (typeof ANOMALY_TYPES)[number];

/**
 * Findings of counterparty risk (risk/screen.ts): who is on the other side, not how much moved. Not detector
 * settings (`anomalies.enabled`): `risk.screening` turns them on and off.
 */
export const RISK_FINDING_TYPES = [
  "listed_counterparty",
  "listed_wallet",
  "permission_change",
  "large_approval",
] as const;
export type RiskFindingType = (typeof RISK_FINDING_TYPES)[number];

/** Every kind of finding stored in `anomalies`: the detectors' and the risk screening's. */
export const FINDING_TYPES = [...ANOMALY_TYPES, ...RISK_FINDING_TYPES] as const;
export type FindingType = (typeof FINDING_TYPES)[number];
