// What is worth telling people: alerts that opened or resolved, health alerts, new anomalies. Each has
// a stable event id (the idempotency key receivers dedupe on) and a severity sinks filter on.
import type { Config } from "../config/schema.ts";
import { SEVERITIES } from "../config/schema.ts";
import { alertExport } from "../export/shapes.ts";
import { alertSeverity } from "../model/alerts.ts";
import { healthLimit } from "../model/health-rules.ts";
import { alertFromRow } from "../rules/alert-store.ts";
import { anomaliesSince } from "../anomalies/anomaly-store.ts";
import { anomalyExport } from "../export/shapes.ts";
import { alertsChangedSince } from "../rules/alert-store.ts";
import type { Warehouse } from "../warehouse/types.ts";
import { type FindingType, RISK_FINDING_TYPES } from "../model/anomaly-types.ts";

const RISK_TYPES = new Set<string>(RISK_FINDING_TYPES);

export type Severity = (typeof SEVERITIES)[number];
export type NotifyEvent = {
  eventId: string;
  kind: "alert" | "anomaly" | "health" | "digest";
  severity: Severity;
  /** opened | resolved for alerts, detected for anomalies. */
  event: "opened" | "resolved" | "detected" | "summarized";
  occurredMs: number;
  /** When what it is about happened (an anomaly's transfer), if that differs from occurredMs. */
  subjectMs: number | null;
  /** Rule name or anomaly type. */
  name: string;
  wallet: string;
  text: string;
  data: Record<string, unknown>;
};

export const ANOMALY_SEVERITY: Record<FindingType, Severity> = {
  address_poisoning: "critical",
  fake_token: "warning",
  large_transaction: "warning",
  burst_activity: "warning",
  new_counterparty: "info",
  spam_token: "info",
  listed_counterparty: "critical",
  listed_wallet: "critical",
  permission_change: "critical",
  large_approval: "warning",
};

/** Events at or after `sinceMs`, oldest first. */
export async function eventsSince(w: Warehouse, sinceMs: number): Promise<NotifyEvent[]> {
  const out: NotifyEvent[] = [];
  const alerts = await alertsChangedSince(w, sinceMs);
  for (const row of alerts) {
    const a = alertFromRow(row);
    const health = a.kind === "health";
    const kind = health ? "health" : "alert";
    const severity: Severity = alertSeverity(a.kind);
    const what = health ? `Monitor health: ${a.ruleName}` : `Rule "${a.ruleName}"`;
    const subject = a.wallet === "*" ? "" : ` for ${a.wallet}`;
    const value = health
      ? `${a.value} ${healthLimit(a.ruleName).unit} (fires at ${healthLimit(a.ruleName).op} ${a.threshold})`
      : `value ${a.value}${a.tokenSymbol ? ` ${a.tokenSymbol}` : ""}, threshold ${a.threshold}`;
    if (a.firstSeenMs >= sinceMs)
      out.push({
        eventId: `alert:${a.alertId}:opened`,
        kind,
        severity,
        event: "opened",
        occurredMs: a.firstSeenMs,
        subjectMs: null,
        name: a.ruleName,
        wallet: a.wallet,
        text: `[${severity}] ${what} fired${subject}: ${value}.`,
        data: alertExport({ ...a, status: "open", resolvedAtMs: null }, a.firstSeenMs),
      });
    if (a.resolvedAtMs !== null && a.resolvedAtMs >= sinceMs)
      out.push({
        eventId: `alert:${a.alertId}:resolved`,
        kind,
        severity,
        event: "resolved",
        occurredMs: a.resolvedAtMs,
        subjectMs: null,
        name: a.ruleName,
        wallet: a.wallet,
        text: `[resolved] ${what}${subject}: ${a.note ?? "resolved"}.`,
        data: alertExport(a, a.resolvedAtMs),
      });
  }
  const anomalies = await anomaliesSince(w, sinceMs);
  for (const r of anomalies) {
    if (r.suppressed_by) continue; // held back by an analyst's suppression: kept, not sent
    const type = String(r.anomaly_type);
    const severity = (r.severity as Severity | null) ?? ANOMALY_SEVERITY[type as FindingType] ?? "warning";
    out.push({
      eventId: `anomaly:${r.anomaly_id}`,
      kind: "anomaly",
      severity,
      event: "detected",
      occurredMs: Number(r.detected_at_ms),
      name: type,
      // who is on the other side is news when it becomes known (a listing, a re-screen), however old the payment
      subjectMs: r.occurred_at_ms === null || RISK_TYPES.has(type) ? null : Number(r.occurred_at_ms),
      wallet: String(r.wallet),
      text: `[${severity}] ${type} on ${r.wallet}: ${r.reason}`,
      data: anomalyExport(r),
    });
  }
  return out.sort((a, b) => a.occurredMs - b.occurredMs || a.eventId.localeCompare(b.eventId));
}

/** Whether a sink wants an event: its event kinds, rule names, anomaly types and minimum severity. */
export function wants(sink: Config["notify"]["sinks"][number], e: NotifyEvent): boolean {
  if (e.kind !== "digest" && !sink.events.includes(e.kind)) return false;
  if (SEVERITIES.indexOf(e.severity) < SEVERITIES.indexOf(sink.min_severity)) return false;
  if (e.kind !== "anomaly" && sink.rules && !sink.rules.includes(e.name)) return false;
  if (e.kind === "anomaly" && sink.anomaly_types && !sink.anomaly_types.includes(e.name)) return false;
  return true;
}

/**
 * Info-level anomalies batched per period of `everyMs` (UTC-aligned): one digest event per period that has ended
 * by `nowMs`, with counts per wallet and type and the largest example. Its id names the sink and the period, so
 * the outbox queues it once however often the period is scanned. Periods still open wait for a later scan.
 */
export function digests(sink: string, events: NotifyEvent[], everyMs: number, nowMs: number): NotifyEvent[] {
  const periods = new Map<number, NotifyEvent[]>();
  for (const e of events) {
    const start = Math.floor(e.occurredMs / everyMs) * everyMs;
    if (start + everyMs > nowMs) continue;
    periods.set(start, [...(periods.get(start) ?? []), e]);
  }
  return [...periods].map(([start, list]) => {
    const counts = new Map<string, { wallet: string; type: string; n: number }>();
    for (const e of list) {
      const key = `${e.wallet}|${e.name}`;
      const c = counts.get(key) ?? { wallet: e.wallet, type: e.name, n: 0 };
      c.n++;
      counts.set(key, c);
    }
    const rows = [...counts.values()].sort((a, b) => b.n - a.n || a.wallet.localeCompare(b.wallet));
    const largest = list.reduce((a, b) => (largerAmount(amountOf(b), amountOf(a)) ? b : a));
    const end = start + everyMs;
    const span = `${new Date(start).toISOString().slice(0, 16)}Z to ${new Date(end).toISOString().slice(11, 16)}Z`;
    return {
      eventId: `digest:${sink}:${start}`,
      kind: "digest" as const,
      severity: "info" as const,
      event: "summarized" as const,
      occurredMs: end,
      subjectMs: start,
      name: "digest",
      wallet: "*",
      text:
        `[info] ${list.length} info-level findings ${span}: ` +
        rows.map((r) => `${r.wallet} ${r.type} ${r.n}`).join(", ") +
        `. Largest: ${largest.text}`,
      data: { from: new Date(start).toISOString(), to: new Date(end).toISOString(), total: list.length, counts: rows },
    };
  });
}
/** An anomaly event's amount in token units, as an exact decimal string ("" when it has none). */
const amountOf = (e: NotifyEvent) => String((e.data as { amount?: unknown }).amount ?? "");
/** Exact order of non-negative decimal strings: more integer digits is larger, then digit by digit. */
const largerAmount = (a: string, b: string) => {
  const ia = a.split(".")[0].length;
  const ib = b.split(".")[0].length;
  return ia !== ib ? ia > ib : a > b;
};
