// The analyst's desk on the command line: watched wallets (edited in the config), closing alerts and findings with
// a disposition, suppressions, the precision report, and filtered lists of alerts and findings.
import { userInfo } from "node:os";
import { UsageError } from "../../internal/errors.ts";
import { editWallets, findWallet } from "../../config/wallets.ts";
import { loadConfig } from "../../config/load.ts";
import { DISPOSITIONS, type Disposition, isValidFactor, type SuppressionKind } from "../../model/triage.ts";
import { closeAlert, closeFinding, type CloseInput } from "../../triage/close.ts";
import { addSuppression, dispositionReport, listSuppressions, removeSuppression } from "../../warehouse/triage.ts";
import { exportPendingAlerts } from "../../rules/evaluate.ts";
import { reviewAnomalies } from "../../anomalies/anomaly-store.ts";
import { FINDING_TYPES } from "../../model/anomaly-types.ts";
import { isoUtc } from "../../model/columns.ts";
import { isAddress } from "../../model/address.ts";
import { type GlobalOptions, parseIsoTime, withWarehouse } from "../context.ts";
import { table } from "../table.ts";

const out = (s: string) => process.stdout.write(s.endsWith("\n") ? s : `${s}\n`);
const who = (by?: string) => by ?? userInfo().username;

export function walletsListCommand(opts: GlobalOptions & { json?: boolean }): number {
  const config = loadConfig(opts.config ?? "tronmon.config.yaml");
  const rows = config.wallets.map((w) => ({ address: w.address, label: w.label, profile: w.profile }));
  out(opts.json ? JSON.stringify(rows, null, 2) : table(rows));
  return 0;
}

export function walletsEditCommand(
  action: "add" | "remove",
  value: string,
  opts: GlobalOptions & { label?: string; profile?: string },
): number {
  const path = opts.config ?? "tronmon.config.yaml";
  const config = editWallets(
    path,
    action === "add"
      ? { add: { address: value.trim(), label: opts.label ?? null, profile: opts.profile ?? null } }
      : { remove: value },
  );
  out(
    `${path}: ${action === "add" ? "now watching" : "no longer watching"} ${value.trim()}; ${config.wallets.length} wallets ` +
      `(${action === "add" ? "its history is backfilled by the next run" : "its stored rows are kept"})`,
  );
  return 0;
}

type CloseFlags = GlobalOptions & {
  disposition: string;
  reason: string;
  by?: string;
  suppress?: boolean;
  factor?: string;
  until?: string;
  anyCounterparty?: boolean;
};

function closeInput(id: string, o: CloseFlags, what: string, defaultFactor: string): CloseInput {
  if (!DISPOSITIONS.includes(o.disposition as Disposition))
    throw new UsageError(`${what}: --disposition must be one of ${DISPOSITIONS.join(", ")}`);
  const nowMs = Date.now();
  return {
    id,
    disposition: o.disposition as Disposition,
    reason: o.reason,
    by: who(o.by),
    nowMs,
    suppress: o.suppress
      ? {
          factor: o.factor ?? defaultFactor,
          untilMs: o.until === undefined ? null : parseIsoTime(o.until, "--until", what),
          anyCounterparty: o.anyCounterparty,
        }
      : null,
  };
}

const suppressedText = (s: { suppressionId: string; factor: string; untilMs: number | null } | null) =>
  s
    ? `; suppressed (${s.suppressionId}): reopens at ${s.factor} × its value${s.untilMs ? ` or after ${isoUtc(s.untilMs)}` : ""}`
    : "";

export function alertsCloseCommand(id: string, o: CloseFlags): Promise<number> {
  return withWarehouse(
    o,
    async ({ config, warehouse: w }) => {
      const c = closeInput(id, o, "alerts resolve", config.triage.reopen_factor);
      const { alert, suppression } = await closeAlert(w, c);
      const file = await exportPendingAlerts(w, config.output.dir, c.nowMs);
      out(
        `alert ${id} resolved by ${alert.actedBy} as ${c.disposition}: ${c.reason}${suppressedText(suppression)}` +
          `${file ? ` (exported to ${file})` : ""}`,
      );
      return 0;
    },
    false,
  );
}

export function anomaliesCloseCommand(id: string, o: CloseFlags): Promise<number> {
  return withWarehouse(
    o,
    async ({ config, warehouse: w }) => {
      const c = closeInput(id, o, "anomalies close", config.triage.reopen_factor);
      const { finding, suppression } = await closeFinding(w, c);
      out(
        `finding ${id} (${finding.anomaly_type}) closed by ${c.by} as ${c.disposition}: ${c.reason}${suppressedText(suppression)}`,
      );
      return 0;
    },
    false,
  );
}

export function anomaliesReviewCommand(
  o: GlobalOptions & { wallet: string; type: string; day: string; by?: string },
): Promise<number> {
  if (!(FINDING_TYPES as readonly string[]).includes(o.type))
    throw new UsageError(`anomalies review: --type must be one of ${FINDING_TYPES.join(", ")}`);
  if (!/^\d{4}-\d\d-\d\d$/.test(o.day))
    throw new UsageError(`anomalies review: --day ${JSON.stringify(o.day)} is not a date (YYYY-MM-DD)`);
  return withWarehouse(
    o,
    async ({ config, warehouse: w }) => {
      const wallet = findWallet(config.wallets, o.wallet, "anomalies review --wallet").address;
      const dayMs = parseIsoTime(o.day, "--day", "anomalies review");
      const n = await reviewAnomalies(w, { wallet, type: o.type, dayMs, by: who(o.by), nowMs: Date.now() });
      out(`${n} ${o.type} findings of ${wallet} on ${o.day} marked reviewed by ${who(o.by)}`);
      return 0;
    },
    false,
  );
}

export function suppressionsListCommand(o: GlobalOptions & { all?: boolean; json?: boolean }): Promise<number> {
  return withWarehouse(
    o,
    async ({ warehouse: w }) => {
      const rows = await listSuppressions(w, Date.now(), { all: o.all });
      if (o.json) out(JSON.stringify(rows, null, 2));
      else
        out(
          rows.length
            ? table(
                rows.map((s) => ({
                  id: s.suppressionId,
                  wallet: s.wallet,
                  [`${"rule/detector"}`]: `${s.kind}: ${s.name}`,
                  counterparty: s.counterparty ?? "any",
                  "reopens at": s.baseline === null ? "-" : `${s.factor} × ${s.baseline}`,
                  until: s.untilMs === null ? "until removed" : isoUtc(s.untilMs),
                  by: s.createdBy,
                  why: s.reason,
                  ...(o.all
                    ? { removed: s.removedAtMs === null ? "-" : `${isoUtc(s.removedAtMs)} by ${s.removedBy}` }
                    : {}),
                })),
              )
            : "no suppressions in force (--all lists ended ones too)",
        );
      return 0;
    },
    false,
  );
}

export function suppressionsAddCommand(
  o: GlobalOptions & {
    wallet: string;
    rule?: string;
    detector?: string;
    counterparty?: string;
    reason: string;
    until?: string;
    factor?: string;
    baseline?: string;
    by?: string;
  },
): Promise<number> {
  const what = "suppressions add";
  if (!o.rule === !o.detector) throw new UsageError(`${what}: give either --rule <name> or --detector <type>`);
  if (o.detector && !(FINDING_TYPES as readonly string[]).includes(o.detector))
    throw new UsageError(`${what}: --detector must be one of ${FINDING_TYPES.join(", ")}`);
  if (o.counterparty && (!isAddress(o.counterparty) || o.rule))
    throw new UsageError(`${what}: --counterparty must be a TRON address, and goes with --detector only`);
  if (o.factor && !isValidFactor(o.factor)) throw new UsageError(`${what}: --factor must be a decimal above 0`);
  if (o.baseline && !/^\d+(\.\d+)?$/.test(o.baseline)) throw new UsageError(`${what}: --baseline must be a decimal`);
  if (!o.reason.trim()) throw new UsageError(`${what}: --reason is required`);
  return withWarehouse(
    o,
    async ({ config, warehouse: w }) => {
      const nowMs = Date.now();
      const untilMs = o.until === undefined ? null : parseIsoTime(o.until, "--until", what);
      if (untilMs !== null && untilMs <= nowMs) throw new UsageError(`${what}: --until must be in the future`);
      const kind: SuppressionKind = o.rule ? "rule" : "detector";
      const name = (o.rule ?? o.detector)!;
      if (kind === "rule" && !config.rules.some((r) => r.name === name))
        throw new UsageError(`${what}: no rule named ${JSON.stringify(name)} (tronmon rules list)`);
      const s = await addSuppression(w, {
        wallet: findWallet(config.wallets, o.wallet, `${what} --wallet`).address,
        kind,
        name,
        counterparty: o.counterparty ?? null,
        baseline: o.baseline ?? null,
        factor: o.factor ?? config.triage.reopen_factor,
        untilMs,
        reason: o.reason,
        createdBy: who(o.by),
        nowMs,
      });
      out(
        `suppression ${s.suppressionId}: ${kind} ${name} for ${s.wallet}${s.counterparty ? ` and ${s.counterparty}` : ""}${suppressedText(s)}`,
      );
      return 0;
    },
    false,
  );
}

export function suppressionsRemoveCommand(id: string, o: GlobalOptions & { by?: string }): Promise<number> {
  return withWarehouse(
    o,
    async ({ warehouse: w }) => {
      await removeSuppression(w, id, who(o.by), Date.now());
      out(`suppression ${id} removed: the condition can open again at the next evaluation`);
      return 0;
    },
    false,
  );
}

export function dispositionsReportCommand(o: GlobalOptions & { since?: string; json?: boolean }): Promise<number> {
  const sinceMs = o.since === undefined ? undefined : parseIsoTime(o.since, "--since", "report dispositions");
  return withWarehouse(
    o,
    async ({ warehouse: w }) => {
      const rows = await dispositionReport(w, sinceMs);
      if (o.json) out(JSON.stringify(rows, null, 2));
      else
        out(
          rows.length
            ? table(
                rows.map((r) => ({
                  [`${"rule / detector"}`]: `${r.kind === "alert" ? "rule" : "detector"}: ${r.source}`,
                  "true positive": r.true_positive,
                  "false positive": r.false_positive,
                  benign: r.benign,
                  decided: r.decided,
                  "precision %": r.precision_pct ?? "-",
                })),
              ) +
                "\nprecision = true positives / (true + false positives); benign ones are real but harmless and left out"
            : "no dispositions yet: close alerts (alerts resolve --disposition) or findings (anomalies close)",
        );
      return 0;
    },
    false,
  );
}
