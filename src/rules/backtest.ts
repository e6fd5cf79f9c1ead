// Backtest: replay evaluation day by day over stored history, in memory; nothing is written.
import { applyEvaluation } from "./lifecycle.ts";
import { findBreaches, ruleInfos } from "./evaluate.ts";
import { loadRules } from "./alert-store.ts";
import type { Alert } from "../model/alerts.ts";
import type { Warehouse } from "../warehouse/types.ts";
import { DAY_MS } from "../model/time.ts";

export type BacktestEvent = {
  rule: string;
  wallet: string;
  openedMs: number;
  closedMs: number | null;
  peakValue: string;
  evaluations: number;
};

export async function backtest(args: {
  warehouse: Warehouse;
  fromMs: number;
  toMs: number;
  stepMs?: number;
}): Promise<BacktestEvent[]> {
  const infos = await ruleInfos(
    args.warehouse,
    (await loadRules(args.warehouse)).filter((r) => r.enabled),
  );
  const step = args.stepMs ?? DAY_MS;
  let active: Alert[] = [];
  const events = new Map<string, BacktestEvent>();
  const done: BacktestEvent[] = [];
  for (let now = args.fromMs; now <= args.toMs; now += step) {
    const breaches = await findBreaches(args.warehouse, infos, now);
    for (const t of applyEvaluation({ active, breaches, rules: infos, nowMs: now })) {
      const a = t.alert;
      if (t.change === "opened")
        events.set(a.alertId, {
          rule: a.ruleName,
          wallet: a.wallet,
          openedMs: now,
          closedMs: null,
          peakValue: a.value,
          evaluations: 1,
        });
      const e = events.get(a.alertId);
      if (!e) continue;
      if (t.change !== "opened") e.evaluations++;
      if (Number(a.value) > Number(e.peakValue)) e.peakValue = a.value;
      if (t.change === "resolved") {
        e.closedMs = now;
        done.push(e);
        events.delete(a.alertId);
      }
      active = active.filter((x) => x.alertId !== a.alertId);
      if (a.status !== "resolved") active.push(a);
    }
  }
  return [...done, ...events.values()].sort((a, b) => a.openedMs - b.openedMs || a.rule.localeCompare(b.rule));
}
