// The monitor watching itself: the run log and the sync cursors feed health alerts, which go through
// the same lifecycle as rule alerts (open once, update, resolve when the condition clears).
import type { Config } from "../config/schema.ts";
import { ENDPOINTS } from "../model/rows.ts";
import { gapDays } from "../pipeline/verify.ts";
import { jsonValue, type Warehouse } from "../warehouse/types.ts";
import type { Breach } from "../rules/types.ts";
import { applyEvaluation, type RuleInfo } from "../rules/lifecycle.ts";
import { loadAlerts, saveTransitions } from "../rules/store.ts";

export const HEALTH_RULES = {
  failures: "health.consecutive_failures",
  lag: "health.wallet_lag",
  throttling: "health.api_throttling",
  gap: "health.gap",
} as const;

const HOUR_MS = 3_600_000;

export type WalletLag = { wallet: string; label: string | null; syncedToMs: number | null; lagMinutes: number | null };

/** How far behind each watched wallet's data is: now − the time up to which all its endpoints are complete. */
export async function walletLags(w: Warehouse, nowMs: number): Promise<WalletLag[]> {
  const rows = await w.query<{ address: string; label: string | null; synced: string | null; complete: string }>(`
    SELECT w.address, w.label, min(c.synced_to_ms) AS synced, count(c.synced_to_ms) AS complete
    FROM wallets w LEFT JOIN sync_cursors c ON c.wallet = w.address GROUP BY w.address, w.label ORDER BY w.address`);
  return rows.map((r) => {
    const synced = Number(r.complete) >= ENDPOINTS.length && r.synced !== null ? Number(r.synced) : null;
    return {
      wallet: r.address,
      label: r.label,
      syncedToMs: synced,
      lagMinutes: synced === null ? null : Math.max(0, Math.floor((nowMs - synced) / 60_000)),
    };
  });
}

/** Failed cycles in a row, most recent first (interrupted runs neither count nor break the streak). */
export async function failureStreak(w: Warehouse): Promise<number> {
  const runs = await w.query<{ status: string }>(
    "SELECT status FROM runs WHERE status IN ('success', 'failed') ORDER BY started_at DESC LIMIT 1000",
  );
  const i = runs.findIndex((r) => r.status !== "failed");
  return i === -1 ? runs.length : i;
}

/** Seconds TronScan made us wait (429/403 answers) in the runs of the last hour. */
export async function throttledSeconds(w: Warehouse, nowMs: number): Promise<number> {
  const runs = await w.query<{ counts: string | null }>(
    `SELECT counts FROM runs WHERE started_at >= ${w.dialect.msToTimestamp("?")}`,
    [nowMs - HOUR_MS],
  );
  const ms = runs.reduce((a, r) => a + Number((jsonValue<Record<string, number>>(r.counts) ?? {}).throttledMs ?? 0), 0);
  return Math.round(ms / 1000);
}

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
  const rule = (name: string, threshold: number, direction: string): [string, RuleInfo] => [
    name,
    {
      name,
      kind: "health" as never,
      periodDays: 0,
      threshold: String(threshold),
      tokenId: "",
      direction: direction as never,
      wallets: null,
      enabled: true,
      tokenSymbol: null,
    },
  ];
  const rules = new Map([
    rule(HEALTH_RULES.failures, h.consecutive_failures - 1, "failed cycles in a row"),
    rule(HEALTH_RULES.lag, h.max_wallet_lag_minutes, "minutes behind"),
    rule(HEALTH_RULES.throttling, h.max_throttled_seconds, "seconds throttled in the last hour"),
    rule(HEALTH_RULES.gap, 0, "stream-days with rows missing after repair"),
  ]);
  const breaches = await healthBreaches(w, config, nowMs);
  const active = await loadAlerts(w, "WHERE status IN ('open', 'acknowledged') AND kind = 'health'");
  const transitions = applyEvaluation({ active, breaches, rules, nowMs });
  if (transitions.length) await w.transaction((q) => saveTransitions(q, w, transitions));
  return {
    breaches: breaches.length,
    opened: transitions.filter((t) => t.change === "opened").length,
    resolved: transitions.filter((t) => t.change === "resolved").length,
  };
}
