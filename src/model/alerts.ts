// What rules, alerts and breaches are: shared by the rules, health checks, notifications, exports and the dashboard.
export type ThresholdRule = {
  name: string;
  kind: "count" | "volume";
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
  kind: "count" | "volume" | "health";
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
