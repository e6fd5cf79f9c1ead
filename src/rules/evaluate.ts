// Evaluation: every enabled rule over the windows ending at `now`, then the alert lifecycle, then the
// export of what opened or changed. Re-running with the same data and `now` changes nothing.
import { alertExport } from "../export/shapes.ts";
import { writeStampedJson } from "../export/stamped.ts";
import { formatUnits, parseUnits } from "../model/amount.ts";
import { wellKnownToken } from "../model/tokens.ts";
import { InputError } from "../internal/errors.ts";
import { rulesSql } from "./rule-query.ts";
import { exposureBreaches, isExposureRule } from "./exposure-rules.ts";
import { labelled, sql } from "../warehouse/sql.ts";
import { applyEvaluation, type RuleInfo } from "./lifecycle.ts";
import { listSuppressions } from "../warehouse/triage.ts";
import { type Suppression, suppressing } from "../model/triage.ts";
import { loadAlerts, loadRules, saveTransitions } from "./alert-store.ts";
import type { Alert, Breach, ThresholdRule } from "../model/alerts.ts";
import type { Warehouse } from "../warehouse/types.ts";

export type EvaluationSummary = {
  nowMs: number;
  rules: number;
  breaches: number;
  opened: number;
  changed: number;
  resolved: number;
  exportedFile: string | null;
};

/** The token facts a rule needs: decimals to scale thresholds and values, a symbol for people. */
export async function ruleInfos(
  w: Warehouse,
  rules: ThresholdRule[],
): Promise<Map<string, RuleInfo & { decimals: number }>> {
  const tokens = new Map(
    (
      await w.query<{ token_id: string; decimals: number | null; symbol: string | null }>(
        labelled("rules.tokens", sql`SELECT token_id, decimals, symbol FROM tokens`),
      )
    ).map((t) => [t.token_id, t]),
  );
  const out = new Map<string, RuleInfo & { decimals: number }>();
  for (const r of rules) {
    if (r.kind === "count") {
      out.set(r.name, { ...r, tokenSymbol: null, decimals: 0 });
      continue;
    }
    const known = wellKnownToken(r.tokenId);
    const stored = tokens.get(r.tokenId);
    // a share needs no decimals: the percentage is the same in raw units
    const decimals = stored?.decimals ?? known?.decimals ?? (r.kind === "exposure_share" ? 0 : undefined);
    if (decimals === undefined || decimals === null)
      throw new InputError(
        `rule "${r.name}": the decimals of token ${r.tokenId} are not known yet (no transfer of it has been loaded); the threshold cannot be scaled`,
      );
    out.set(r.name, { ...r, tokenSymbol: stored?.symbol ?? known?.symbol ?? null, decimals });
  }
  return out;
}

export async function findBreaches(
  w: Warehouse,
  infos: Map<string, RuleInfo & { decimals: number }>,
  nowMs: number,
): Promise<Breach[]> {
  const all = [...infos.values()].filter((r) => r.enabled);
  const exposure = await exposureBreaches(w, all.filter(isExposureRule), nowMs);
  const rules = all.filter((r) => !isExposureRule(r));
  if (!rules.length) return exposure;
  // Thresholds as exact integers: raw token units for volumes, counts scaled by 10^6 (a threshold may be 100.5).
  const limits = rules.map((r) => {
    try {
      return r.kind === "volume" ? parseUnits(r.threshold, r.decimals) : parseUnits(r.threshold, 6);
    } catch (e) {
      throw new InputError(`rule "${r.name}": threshold ${r.threshold}: ${(e as Error).message}`);
    }
  });
  const q = rulesSql(rules, nowMs);
  const breaches: Breach[] = exposure;
  for (const row of await w.query<Record<string, string | null>>(q.query)) {
    rules.forEach((r, i) => {
      const v = row[q.columns[i]];
      if (v === null || v === undefined) return;
      const value = BigInt(v);
      const above = r.kind === "volume" ? value > limits[i] : value * 1_000_000n > limits[i];
      if (above)
        breaches.push({
          ruleName: r.name,
          wallet: String(row.wallet),
          value: r.kind === "volume" ? formatUnits(value, r.decimals) : value.toString(),
        });
    });
  }
  return breaches;
}

export async function evaluateRules(args: {
  warehouse: Warehouse;
  nowMs: number;
  outDir: string;
}): Promise<EvaluationSummary> {
  const w = args.warehouse;
  const infos = await ruleInfos(w, await loadRules(w));
  const enabled = new Map([...infos].filter(([, r]) => r.enabled));
  const found = await findBreaches(w, enabled, args.nowMs);
  const active = await loadAlerts(w, { status: "active", kind: "rules" }); // health alerts have their own checks
  const breaches = unsuppressed(found, active, await listSuppressions(w, args.nowMs, { kind: "rule" }), args.nowMs);
  const transitions = applyEvaluation({ active, breaches, rules: enabled, nowMs: args.nowMs });
  if (transitions.length) await w.transaction((q) => saveTransitions(q, w, transitions));
  const exportedFile = await exportPendingAlerts(w, args.outDir, args.nowMs);
  const count = (c: string) => transitions.filter((t) => t.change === c).length;
  return {
    nowMs: args.nowMs,
    rules: enabled.size,
    breaches: breaches.length,
    opened: count("opened"),
    changed: count("changed"),
    resolved: count("resolved"),
    exportedFile,
  };
}

/**
 * Breaches a suppression holds back do not open an alert (one still active is left to its lifecycle): a resolved
 * false positive stays closed until its value reaches the suppression's factor × baseline or the snooze ends.
 */
function unsuppressed(breaches: Breach[], active: Alert[], held: Suppression[], nowMs: number): Breach[] {
  if (!held.length) return breaches;
  const open = new Set(active.map((a) => `${a.ruleName}\u0000${a.wallet}`));
  return breaches.filter(
    (b) =>
      open.has(`${b.ruleName}\u0000${b.wallet}`) ||
      !suppressing(held, { wallet: b.wallet, kind: "rule", name: b.ruleName, value: b.value }, nowMs),
  );
}

/**
 * Writes alerts whose latest version has not been exported yet, then marks them exported. A crash
 * between the two exports them again next time (at least once); nothing is ever skipped.
 */
export async function exportPendingAlerts(w: Warehouse, outDir: string, nowMs: number): Promise<string | null> {
  const pending = await loadAlerts(w, { unexported: true });
  if (!pending.length) return null;
  const file = writeStampedJson(
    outDir,
    "alerts",
    nowMs,
    pending.map((a) => alertExport(a, nowMs)),
  );
  await w.transaction(async (q) => {
    for (const a of pending)
      await q(
        labelled(
          "alerts.mark_exported",
          sql`UPDATE alerts SET exported_version = ${a.version} WHERE alert_id = ${a.alertId} AND version = ${a.version}`,
        ),
      );
  });
  return file;
}
