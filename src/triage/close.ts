// Closing an alert or a finding the way an analyst does: with a disposition (true positive, false positive, benign)
// and a reason, and — for a false positive or benign — optionally a suppression, so the same condition does not
// reopen until it worsens past a factor or a snooze ends. The dashboard and the CLI both close through here.
import { UsageError } from "../internal/errors.ts";
import { findingById, reviewFinding } from "../anomalies/anomaly-store.ts";
import { DISPOSITIONS, type Disposition, isValidFactor, type Suppression } from "../model/triage.ts";
import { actOnAlert, loadAlerts } from "../rules/alert-store.ts";
import { addSuppression, recordDisposition } from "../warehouse/triage.ts";
import type { Query, Warehouse } from "../warehouse/types.ts";
import type { Alert } from "../model/alerts.ts";

/** What a suppression made on closing covers: its factor, when it ends, and (findings) one counterparty or any. */
export type SuppressOptions = { factor: string; untilMs: number | null; anyCounterparty?: boolean };

export type CloseInput = {
  id: string;
  disposition: Disposition;
  reason: string;
  by: string;
  nowMs: number;
  suppress?: SuppressOptions | null;
};

function check(what: string, c: CloseInput) {
  if (!DISPOSITIONS.includes(c.disposition))
    throw new UsageError(
      `${what}: disposition must be one of ${DISPOSITIONS.join(", ")}, not ${JSON.stringify(c.disposition)}`,
    );
  if (!c.reason.trim()) throw new UsageError(`${what}: a reason is required`);
  if (c.suppress) {
    if (c.disposition === "true_positive")
      throw new UsageError(`${what}: a true positive is not suppressed (suppress false positives or benign ones)`);
    if (!isValidFactor(c.suppress.factor))
      throw new UsageError(`${what}: factor ${JSON.stringify(c.suppress.factor)} must be a decimal above 0`);
    if (c.suppress.untilMs !== null && c.suppress.untilMs <= c.nowMs)
      throw new UsageError(`${what}: the snooze must end in the future`);
  }
}

/** Resolves an alert with a disposition (its note says which and why); returns it and any suppression made. */
export async function closeAlert(
  w: Warehouse,
  c: CloseInput,
): Promise<{ alert: Alert; suppression: Suppression | null }> {
  check("alerts resolve", c);
  const [before] = await loadAlerts(w, { id: c.id });
  if (before?.kind === "health" && c.suppress)
    throw new UsageError(
      "alerts resolve: a health check is not suppressed (fix the monitor, or change health: in the config)",
    );
  const alert = await actOnAlert(w, {
    id: c.id,
    action: "resolve",
    note: `${c.disposition.replace("_", " ")}: ${c.reason}`,
    by: c.by,
    nowMs: c.nowMs,
  });
  const suppression = await w.transaction((q) =>
    decide(w, q, c, {
      kind: "alert",
      id: alert.alertId,
      source: alert.ruleName,
      wallet: alert.wallet,
      counterparty: null,
      baseline: alert.value,
    }),
  );
  return { alert, suppression };
}

/** Closes a finding (marked reviewed) with a disposition; the suppression covers its counterparty unless told any. */
export async function closeFinding(
  w: Warehouse,
  c: CloseInput,
): Promise<{ finding: Record<string, unknown>; suppression: Suppression | null }> {
  check("anomalies close", c);
  const f = await findingById(w, c.id);
  if (!f)
    throw new UsageError(`anomalies close: no finding with id ${JSON.stringify(c.id)} (see tronmon anomalies list)`);
  const suppression = await w.transaction(async (q) => {
    await reviewFinding(q, { id: c.id, by: c.by, nowMs: c.nowMs });
    return decide(w, q, c, {
      kind: "finding",
      id: c.id,
      source: String(f.anomaly_type),
      wallet: String(f.wallet),
      counterparty: c.suppress?.anyCounterparty || f.counterparty === null ? null : String(f.counterparty),
      baseline: f.amount === null ? null : String(f.amount),
    });
  });
  return { finding: f, suppression };
}

/** What is decided about: the item, the rule or detector it came from, and what a suppression of it would cover. */
type Decided = {
  kind: "alert" | "finding";
  id: string;
  source: string;
  wallet: string;
  counterparty: string | null;
  baseline: string | null;
};

/** Records the disposition and, when asked, the suppression (inside the caller's transaction). */
async function decide(w: Warehouse, q: Query, c: CloseInput, d: Decided): Promise<Suppression | null> {
  const base = { wallet: d.wallet, disposition: c.disposition, reason: c.reason, by: c.by, nowMs: c.nowMs };
  await recordDisposition(w, q, { ...base, itemKind: d.kind, itemId: d.id, source: d.source });
  if (!c.suppress) return null;
  const s = {
    wallet: d.wallet,
    kind: d.kind === "alert" ? ("rule" as const) : ("detector" as const),
    name: d.source,
    counterparty: d.counterparty,
    baseline: d.baseline,
    factor: c.suppress.factor,
    untilMs: c.suppress.untilMs,
    reason: c.reason,
    createdBy: c.by,
    nowMs: c.nowMs,
  };
  return addSuppression(w, s, q);
}
