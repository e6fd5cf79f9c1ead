// What rules, alerts and breaches are: shared by the rules, health checks, notifications, exports and the dashboard.
/** exposure_share: percent of inbound value of one token from listed addresses; exposure_amount: that value. */
export type RuleKind = "count" | "volume" | "exposure_share" | "exposure_amount";
/** Kinds whose value is an amount or share of one token (they keep a token id). */
export const tokenRule = (kind: string) => kind !== "count" && kind !== "health";

export type ThresholdRule = {
  name: string;
  kind: RuleKind;
  periodDays: number;
  /** Exact decimal string, in token units for volume rules. */
  threshold: string;
  tokenId: string;
  direction: "in" | "out" | "any";
  wallets: string[] | null;
  enabled: boolean;
};

export type AlertStatus = "open" | "acknowledged" | "resolved";

export type Alert = {
  alertId: string;
  ruleName: string;
  wallet: string;
  kind: RuleKind | "health";
  status: AlertStatus;
  /** Exact decimal strings: a count, or a volume in token units. */
  value: string;
  threshold: string;
  tokenId: string | null;
  tokenSymbol: string | null;
  /** The rule's direction (in, out, any); null for a health check (its value's unit: model/health-rules.ts). */
  direction: "in" | "out" | "any" | null;
  periodDays: number;
  firstSeenMs: number;
  lastSeenMs: number;
  resolvedAtMs: number | null;
  note: string | null;
  actedBy: string | null;
  version: number;
  exportedVersion: number;
};

export type Breach = { ruleName: string; wallet: string; value: string };

/** An alert's severity: a health check's is critical (the monitor itself is failing), a rule's a warning. */
export const alertSeverity = (kind: Alert["kind"]): "critical" | "warning" =>
  kind === "health" ? "critical" : "warning";
