// The monitor watching itself: the run log and the sync cursors feed health alerts, which go through
// the same lifecycle as rule alerts (open once, update, resolve when the condition clears).
import type { Config } from "../config/schema.ts";
import { gapDays } from "../warehouse/verification.ts";
import { failureStreak, throttledSeconds, walletLags } from "./reads.ts";
import type { Warehouse } from "../warehouse/types.ts";
import type { Breach } from "../model/alerts.ts";
import { type AlertRule, applyEvaluation } from "../rules/lifecycle.ts";
import { HEALTH_RULES } from "../model/health-rules.ts";
import { loadAlerts, saveTransitions } from "../rules/alert-store.ts";

export async function healthBreaches(w: Warehouse, config: Config, nowMs: number): Promise<Breach[]> {
  const h = config.health;
  const out: Breach[] = [];
  const streak = await failureStreak(w);
  if (streak >= h.consecutive_failures)
    out.push({ ruleName: HEALTH_RULES.failures, wallet: "*", value: String(streak) });
  for (const l of await walletLags(w, nowMs)) {
    if (l.lagMinutes !== null && l.lagMinutes > h.max_wallet_lag_minutes)
      out.push({ ruleName: HEALTH_RULES.lag, wallet: l.wallet, value: String(l.lagMinutes) });
  }
  const throttled = await throttledSeconds(w, nowMs);
  if (throttled > h.max_throttled_seconds)
    out.push({ ruleName: HEALTH_RULES.throttling, wallet: "*", value: String(throttled) });
  for (const [wallet, days] of await gapDays(w)) out.push({ ruleName: HEALTH_RULES.gap, wallet, value: String(days) });
  return out;
}

export type HealthSummary = { breaches: number; opened: number; resolved: number };

export async function evaluateHealth(w: Warehouse, config: Config, nowMs: number): Promise<HealthSummary> {
  const h = config.health;
  const rule = (name: string, threshold: number): [string, AlertRule] => [
    name,
    { kind: "health", periodDays: 0, threshold: String(threshold), tokenId: null, tokenSymbol: null, direction: null },
  ];
  const rules = new Map([
    rule(HEALTH_RULES.failures, h.consecutive_failures), // breaches at ≥ (the others at >): see HEALTH_OPS
    rule(HEALTH_RULES.lag, h.max_wallet_lag_minutes),
    rule(HEALTH_RULES.throttling, h.max_throttled_seconds),
    rule(HEALTH_RULES.gap, 0),
  ]);
  const breaches = await healthBreaches(w, config, nowMs);
  const active = await loadAlerts(w, { status: "active", kind: "health" });
  const transitions = applyEvaluation({ active, breaches, rules, nowMs });
  if (transitions.length) await w.transaction((q) => saveTransitions(q, w, transitions));
  return {
    breaches: breaches.length,
    opened: transitions.filter((t) => t.change === "opened").length,
    resolved: transitions.filter((t) => t.change === "resolved").length,
  };
}
