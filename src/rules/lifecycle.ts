// The alert lifecycle, pure: given the alerts still active and what breaches now, what opens, what
// changes, what resolves. Used by evaluation (persisted) and by backtests (in memory).
import { createHash } from "node:crypto";
import { type Alert, type Breach, type ThresholdRule, tokenRule } from "../model/alerts.ts";

/** What an alert takes from the rule (or health check) it breaches. */
export type AlertRule = {
  kind: Alert["kind"];
  threshold: string;
  tokenId: string | null;
  tokenSymbol: string | null;
  direction: Alert["direction"];
  periodDays: number;
};
export type RuleInfo = ThresholdRule & { tokenSymbol: string | null };

export type Transition = { alert: Alert; change: "opened" | "changed" | "resolved" | "seen" };

export const alertId = (rule: string, wallet: string, firstSeenMs: number) =>
  createHash("sha256").update(`${rule}|${wallet}|${firstSeenMs}`).digest("hex").slice(0, 16);

export function applyEvaluation(args: {
  active: Alert[];
  breaches: Breach[];
  rules: Map<string, AlertRule>;
  nowMs: number;
}): Transition[] {
  const { nowMs } = args;
  const out: Transition[] = [];
  const key = (rule: string, wallet: string) => `${rule}\u0000${wallet}`;
  const active = new Map(args.active.map((a) => [key(a.ruleName, a.wallet), a]));
  const breaching = new Set<string>();
  for (const b of args.breaches) {
    const k = key(b.ruleName, b.wallet);
    breaching.add(k);
    const rule = args.rules.get(b.ruleName)!;
    const existing = active.get(k);
    if (!existing) {
      out.push({
        change: "opened",
        alert: {
          alertId: alertId(b.ruleName, b.wallet, nowMs),
          ruleName: b.ruleName,
          wallet: b.wallet,
          kind: rule.kind,
          status: "open",
          value: b.value,
          threshold: rule.threshold,
          tokenId: tokenRule(rule.kind) ? rule.tokenId : null,
          tokenSymbol: tokenRule(rule.kind) ? rule.tokenSymbol : null,
          direction: rule.direction,
          periodDays: rule.periodDays,
          firstSeenMs: nowMs,
          lastSeenMs: nowMs,
          resolvedAtMs: null,
          note: null,
          actedBy: null,
          version: 1,
          exportedVersion: 0,
        },
      });
    } else if (existing.value !== b.value || existing.threshold !== rule.threshold) {
      out.push({
        change: "changed",
        alert: {
          ...existing,
          value: b.value,
          threshold: rule.threshold,
          lastSeenMs: nowMs,
          version: existing.version + 1,
        },
      });
    } else if (existing.lastSeenMs !== nowMs) {
      out.push({ change: "seen", alert: { ...existing, lastSeenMs: Math.max(existing.lastSeenMs, nowMs) } });
    }
  }
  for (const [k, a] of active) {
    if (breaching.has(k)) continue;
    const reason = args.rules.has(a.ruleName) ? "condition no longer holds" : "rule disabled or removed";
    out.push({
      change: "resolved",
      alert: {
        ...a,
        status: "resolved",
        resolvedAtMs: nowMs,
        note: a.note ? `${a.note} | auto: ${reason}` : `auto: ${reason}`,
        actedBy: a.actedBy ?? "tronmon",
        version: a.version + 1,
      },
    });
  }
  return out;
}
