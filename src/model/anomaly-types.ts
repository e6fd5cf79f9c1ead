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
