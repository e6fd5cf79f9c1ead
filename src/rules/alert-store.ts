// Rules and alerts in the warehouse: config rules synced to alert_thresholds; alerts read and written.
import type { Config } from "../config/schema.ts";
import { and, labelled, list, prepared, raw, sql } from "../warehouse/sql.ts";
import type { Query, Warehouse } from "../warehouse/types.ts";
import { UsageError } from "../internal/errors.ts";
import { type Alert, type AlertStatus, type ThresholdRule, tokenRule } from "../model/alerts.ts";
import type { Transition } from "./lifecycle.ts";

/** Now, as a SQL timestamp literal (UTC). */
const sqlNow = () => new Date().toISOString().replace("T", " ").replace("Z", "");

export function rulesFromConfig(config: Config): ThresholdRule[] {
  return config.rules.map((r) => ({
    name: r.name,
    kind: r.kind === "exposure" ? (`exposure_${r.measure}` as const) : r.kind,
    periodDays: r.period_days,
    threshold: r.threshold,
    tokenId: r.token,
    direction: r.direction,
    wallets: r.wallets,
    enabled: r.enabled,
  }));
}

const RULE_COLUMNS = [
  "rule_name",
  "kind",
  "period_days",
  "threshold",
  "token_id",
  "direction",
  "wallets",
  "enabled",
  "updated_at",
] as const;

/** The config is the source of truth: rows are upserted, rules no longer in the config are removed. */
export async function saveRules(w: Warehouse, rules: ThresholdRule[]): Promise<void> {
  await w.transaction(async (q) => {
    if (rules.length) {
      const now = sqlNow();
      const params = rules.flatMap((r) => [
        r.name,
        r.kind,
        r.periodDays,
        r.threshold,
        tokenRule(r.kind) ? r.tokenId : null,
        r.direction,
        r.wallets ? JSON.stringify(r.wallets) : null,
        r.enabled,
        now,
      ]);
      const upsert = w.dialect.upsertSql("alert_thresholds", RULE_COLUMNS, ["rule_name"], rules.length);
      await q(labelled("rules.save", prepared(upsert, params)));
      const names = rules.map((r) => r.name);
      await q(
        labelled("rules.remove_others", sql`DELETE FROM alert_thresholds WHERE rule_name NOT IN (${list(names)})`),
      );
    } else {
      await q(labelled("rules.remove_all", sql`DELETE FROM alert_thresholds`));
    }
  });
}

export async function loadRules(w: Warehouse): Promise<ThresholdRule[]> {
  const rows = await w.query<Record<string, string | number | boolean | null>>(
    labelled("rules.load", sql`SELECT * FROM alert_thresholds ORDER BY rule_name`),
  );
  return rows.map((r) => ({
    name: String(r.rule_name),
    kind: r.kind as ThresholdRule["kind"],
    periodDays: Number(r.period_days),
    threshold: String(r.threshold),
    tokenId: r.token_id === null ? "" : String(r.token_id),
    direction: r.direction as ThresholdRule["direction"],
    wallets: r.wallets === null ? null : (JSON.parse(String(r.wallets)) as string[]),
    enabled: Boolean(r.enabled),
  }));
}

const ALERT_COLUMNS = [
  "alert_id",
  "rule_name",
  "wallet",
  "kind",
  "status",
  "value",
  "threshold",
  "token_id",
  "token_symbol",
  "direction",
  "period_days",
  "first_seen_ms",
  "last_seen_ms",
  "resolved_at_ms",
  "note",
  "acted_by",
  "version",
  "exported_version",
  "updated_at",
] as const;

export function alertFromRow(r: Record<string, unknown>): Alert {
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    alertId: String(r.alert_id),
    ruleName: String(r.rule_name),
    wallet: String(r.wallet),
    kind: r.kind as Alert["kind"],
    status: r.status as AlertStatus,
    value: String(r.value),
    threshold: String(r.threshold),
    tokenId: (r.token_id as string) ?? null,
    tokenSymbol: (r.token_symbol as string) ?? null,
    // health alerts stored before 2026-12 kept their unit here: it now comes from the rule name
    direction: ["in", "out", "any"].includes(String(r.direction)) ? (r.direction as Alert["direction"]) : null,
    periodDays: Number(r.period_days),
    firstSeenMs: Number(r.first_seen_ms),
    lastSeenMs: Number(r.last_seen_ms),
    resolvedAtMs: n(r.resolved_at_ms),
    note: (r.note as string) ?? null,
    actedBy: (r.acted_by as string) ?? null,
    version: Number(r.version),
    exportedVersion: Number(r.exported_version),
  };
}

/** Which alerts: by status ("active": open or acknowledged), rule alerts or health checks, one id, or those
 *  changed since they were last exported. */
export type AlertFilter = {
  status?: AlertStatus | "active";
  kind?: "rules" | "health";
  id?: string;
  unexported?: boolean;
  wallet?: string;
  rule?: string;
};

export async function loadAlerts(w: Warehouse, f: AlertFilter = {}): Promise<Alert[]> {
  const where = and([
    ...(f.status === "active"
      ? [raw("status IN ('open', 'acknowledged')")]
      : f.status
        ? [sql`status = ${f.status}`]
        : []),
    ...(f.kind === "health" ? [raw("kind = 'health'")] : f.kind === "rules" ? [raw("kind <> 'health'")] : []),
    ...(f.id !== undefined ? [sql`alert_id = ${f.id}`] : []),
    ...(f.unexported ? [raw("version > exported_version")] : []),
    ...(f.wallet !== undefined ? [sql`wallet = ${f.wallet}`] : []),
    ...(f.rule !== undefined ? [sql`rule_name = ${f.rule}`] : []),
  ]);
  const rows = await w.query<Record<string, unknown>>(
    labelled("alerts.load", sql`SELECT * FROM alerts WHERE ${where} ORDER BY last_seen_ms DESC, alert_id`),
  );
  return rows.map(alertFromRow);
}

/** Alerts opened or resolved at or after `sinceMs`, oldest first (what notifications tell). */
export const alertsChangedSince = (w: Warehouse, sinceMs: number) =>
  w.query<Record<string, unknown>>(
    labelled(
      "alerts.changed_since",
      sql`SELECT * FROM alerts WHERE first_seen_ms >= ${sinceMs} OR resolved_at_ms >= ${sinceMs}
      ORDER BY first_seen_ms, alert_id`,
    ),
  );

/** One alert as bound parameters, in ALERT_COLUMNS order. */
const alertParams = (a: Alert, now: string) => [
  a.alertId,
  a.ruleName,
  a.wallet,
  a.kind,
  a.status,
  a.value,
  a.threshold,
  a.tokenId,
  a.tokenSymbol,
  a.direction,
  a.periodDays,
  a.firstSeenMs,
  a.lastSeenMs,
  a.resolvedAtMs,
  a.note,
  a.actedBy,
  a.version,
  a.exportedVersion,
  now,
];
/** Writes whole alert rows, 200 a statement, with `statement(rowCount)` (an upsert or an insert-if-missing). */
async function writeAlerts(q: Query, alerts: Alert[], statement: (rows: number) => string): Promise<void> {
  const now = sqlNow();
  for (let i = 0; i < alerts.length; i += 200) {
    const chunk = alerts.slice(i, i + 200);
    await q(
      labelled(
        "alerts.write",
        prepared(
          statement(chunk.length),
          chunk.flatMap((a) => alertParams(a, now)),
        ),
      ),
    );
  }
}

/** Whole alert rows, inserted or replaced (tests and tools; evaluation uses saveTransitions). */
export const saveAlerts = (q: Query, w: Warehouse, alerts: Alert[]): Promise<void> =>
  writeAlerts(q, alerts, (n) => w.dialect.upsertSql("alerts", ALERT_COLUMNS, ["alert_id"], n));

/**
 * Persists what an evaluation decided, touching only what evaluation owns, and only on the state it read:
 * an acknowledgement or resolution from a person (CLI, dashboard) landing between the evaluation's read and
 * this write is never overwritten. New alerts are inserted if missing; a changed one gets its value, threshold
 * and last-seen time (not its status, note or actor); an auto-resolution applies only while the alert is still
 * active, and appends its reason to the note as it stands then.
 */
export async function saveTransitions(q: Query, w: Warehouse, transitions: Transition[]): Promise<void> {
  const now = sqlNow();
  const opened = transitions.filter((t) => t.change === "opened").map((t) => t.alert);
  await writeAlerts(q, opened, (n) => w.dialect.insertMissingSql("alerts", ALERT_COLUMNS, ["alert_id"], n));
  const active = raw("status IN ('open', 'acknowledged')");
  for (const t of transitions) {
    const a = t.alert;
    if (t.change === "changed") {
      await q(
        labelled(
          "alerts.changed",
          sql`UPDATE alerts SET value = ${a.value}, threshold = ${a.threshold}, last_seen_ms = ${a.lastSeenMs},
            version = version + 1, updated_at = ${now} WHERE alert_id = ${a.alertId} AND ${active}`,
        ),
      );
    } else if (t.change === "seen") {
      await q(
        labelled(
          "alerts.seen",
          sql`UPDATE alerts SET last_seen_ms = ${a.lastSeenMs}, updated_at = ${now}
            WHERE alert_id = ${a.alertId} AND ${active}`,
        ),
      );
    } else if (t.change === "resolved") {
      const reason = (a.note ?? "").split(" | ").at(-1) ?? "";
      await q(
        labelled(
          "alerts.resolved",
          sql`UPDATE alerts SET status = 'resolved', resolved_at_ms = ${a.resolvedAtMs}, version = version + 1,
            updated_at = ${now}, note = CASE WHEN note IS NULL THEN ${reason} ELSE note || ' | ' || ${reason} END,
            acted_by = COALESCE(acted_by, 'tronmon')
          WHERE alert_id = ${a.alertId} AND ${active}`,
        ),
      );
    }
  }
}

/** Acknowledges or resolves an alert with a note, recording who and when. Throws UsageError when it cannot. */
export async function actOnAlert(
  w: Warehouse,
  a: { id: string; action: "ack" | "resolve"; note: string; by: string; nowMs: number },
): Promise<Alert> {
  const [alert] = await loadAlerts(w, { id: a.id });
  if (!alert)
    throw new UsageError(`alerts ${a.action}: no alert with id ${JSON.stringify(a.id)} (see tronmon alerts list)`);
  if (alert.status === "resolved") throw new UsageError(`alerts ${a.action}: alert ${a.id} is already resolved`);
  const updated: Alert = {
    ...alert,
    status: a.action === "ack" ? "acknowledged" : "resolved",
    note: a.note,
    actedBy: a.by,
    resolvedAtMs: a.action === "resolve" ? a.nowMs : null,
    version: alert.version + 1,
  };
  await w.transaction(async (q) => {
    // only over the state read: a resolution (by evaluation or another person) in between is not undone
    await q(
      labelled(
        "alerts.act",
        sql`UPDATE alerts SET status = ${updated.status}, note = ${updated.note}, acted_by = ${updated.actedBy},
          resolved_at_ms = ${updated.resolvedAtMs}, version = version + 1, updated_at = ${sqlNow()}
        WHERE alert_id = ${a.id} AND status = ${alert.status}`,
      ),
    );
  });
  const [after] = await loadAlerts(w, { id: a.id });
  if (after.status !== updated.status || after.note !== updated.note)
    throw new UsageError(
      `alerts ${a.action}: alert ${a.id} changed meanwhile (now ${after.status}); look again and retry`,
    );
  return after;
}

/** Open alerts per rule (the demo's summary). */
export const openAlertCounts = (w: Warehouse) =>
  w.query<Record<string, string>>(
    labelled(
      "alerts.open_counts",
      sql`SELECT rule_name AS rule, count(*) AS open_alerts FROM alerts WHERE status = 'open' GROUP BY rule_name ORDER BY rule`,
    ),
  );
