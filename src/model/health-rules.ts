// The monitor's own health checks: their names (the rule_name of their alerts) and the unit of their values.
export const HEALTH_RULES = {
  failures: "health.consecutive_failures",
  lag: "health.wallet_lag",
  throttling: "health.api_throttling",
  gap: "health.gap",
} as const;

export type HealthRule = (typeof HEALTH_RULES)[keyof typeof HEALTH_RULES];

export const HEALTH_UNITS: Record<HealthRule, string> = {
  "health.consecutive_failures": "failed cycles in a row",
  "health.wallet_lag": "minutes behind",
  "health.api_throttling": "seconds throttled in the last hour",
  "health.gap": "stream-days with rows missing after repair",
};

/** The unit of a health alert's value (null for a rule alert). */
export const healthUnit = (ruleName: string): string | null => HEALTH_UNITS[ruleName as HealthRule] ?? null;

/** A health alert's unit and comparison ("2 failed cycles in a row, fires at ≥ 2"), for the pages that show it. */
export const healthLimit = (ruleName: string) => ({
  unit: healthUnit(ruleName),
  op: HEALTH_OPS[ruleName as HealthRule] ?? ">",
});

/** How a health check's value compares with its threshold (the configured number, as set). */
export const HEALTH_OPS: Record<HealthRule, "≥" | ">"> = {
  "health.consecutive_failures": "≥",
  "health.wallet_lag": ">",
  "health.api_throttling": ">",
  "health.gap": ">",
};
