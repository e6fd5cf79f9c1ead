// evaluate, rules, alerts: the decision side of tronmon.
import { findWallet } from "../../config/wallets.ts";
import { alertSeverity } from "../../model/alerts.ts";
import { refreshRollup } from "../../warehouse/activity/rollup.ts";
import { readFileSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { parseDocument, isSeq, isMap, type YAMLMap } from "yaml";
import { loadContext, openWarehouse, parseIsoTime, parseNow, withWarehouse, type GlobalOptions } from "../context.ts";
import { table } from "../table.ts";
import { parseConfig } from "../../config/load.ts";
import { DEFAULT_RULES } from "../../config/schema.ts";
import { evaluateRules, exportPendingAlerts } from "../../rules/evaluate.ts";
import { alertExport } from "../../export/shapes.ts";
import { type AlertFilter, loadAlerts, rulesFromConfig, actOnAlert, saveRules } from "../../rules/alert-store.ts";
import { backtest } from "../../rules/backtest.ts";
import { isoUtc } from "../../model/columns.ts";
import { UsageError } from "../../internal/errors.ts";
import { type Format, writeRows } from "../../export/format.ts";
import { DAY_MS } from "../../model/time.ts";

export async function evaluateCommand(opts: GlobalOptions & { now?: string; json?: boolean }): Promise<number> {
  const nowMs = parseNow(opts.now, "evaluate");
  return withWarehouse(opts, async ({ config, warehouse: w }) => {
    await saveRules(w, rulesFromConfig(config));
    await refreshRollup(w);
    const s = await evaluateRules({ warehouse: w, nowMs, outDir: config.output.dir });
    if (opts.json) process.stdout.write(JSON.stringify(s, null, 2) + "\n");
    else
      process.stdout.write(
        `evaluated ${s.rules} rules at ${isoUtc(nowMs)}: ${s.breaches} breaches, ${s.opened} alerts opened, ${s.changed} changed, ${s.resolved} resolved${s.exportedFile ? `; wrote ${s.exportedFile}` : "; nothing new to export"}\n`,
      );
    return 0;
  });
}

export async function rulesListCommand(opts: GlobalOptions & { json?: boolean }): Promise<number> {
  const { config } = loadContext(opts);
  const rows = config.rules.map((r) => ({
    name: r.name,
    kind: r.kind === "exposure" ? `exposure (${r.measure})` : r.kind,
    period_days: r.period_days,
    threshold: r.kind === "exposure" && r.measure === "share" ? `${r.threshold}%` : r.threshold,
    token: r.kind !== "count" ? r.token : "-",
    direction: r.direction,
    wallets: r.wallets ? r.wallets.join(",") : "all",
    enabled: r.enabled,
  }));
  process.stdout.write(opts.json ? JSON.stringify(rows, null, 2) + "\n" : table(rows) + "\n");
  return 0;
}

type RuleEdit = {
  threshold?: string;
  periodDays?: string;
  kind?: string;
  measure?: string;
  token?: string;
  direction?: string;
  wallets?: string;
  enable?: boolean;
  disable?: boolean;
};

/** Edits the rules in the config file itself (comments kept), validates the result, then syncs the table. */
export async function rulesEditCommand(name: string, edit: RuleEdit, opts: GlobalOptions): Promise<number> {
  const path = opts.config ?? "tronmon.config.yaml";
  const doc = parseDocument(readFileSync(path, "utf8"));
  if (!doc.has("rules")) doc.set("rules", doc.createNode(DEFAULT_RULES.map((r) => ({ ...r }))));
  const seq = doc.get("rules");
  if (!isSeq(seq)) throw new UsageError(`${path}: rules must be a list`);
  let item = seq.items.find((i) => isMap(i) && i.get("name") === name) as YAMLMap | undefined;
  if (!item) {
    if (edit.disable) throw new UsageError(`rules disable: no rule named ${JSON.stringify(name)} in ${path}`);
    item = doc.createNode({ name }) as YAMLMap;
    seq.items.push(item);
  }
  const set = (k: string, v: unknown) => item!.set(k, v);
  if (edit.kind !== undefined) set("kind", edit.kind);
  if (edit.measure !== undefined) set("measure", edit.measure);
  if (edit.periodDays !== undefined) set("period_days", Number(edit.periodDays));
  if (edit.threshold !== undefined) set("threshold", edit.threshold);
  if (edit.token !== undefined) set("token", edit.token);
  if (edit.direction !== undefined) set("direction", edit.direction);
  if (edit.wallets !== undefined)
    set("wallets", edit.wallets === "all" ? null : edit.wallets.split(",").map((s) => s.trim()));
  if (edit.enable) set("enabled", true);
  if (edit.disable) set("enabled", false);
  const text = doc.toString();
  const config = parseConfig(parseDocument(text).toJS(), path); // throws (exit 2) before anything is written
  writeFileSync(path, text);
  const ctx = loadContext(opts);
  const w = await openWarehouse(ctx.config);
  try {
    await saveRules(w, rulesFromConfig(config));
  } finally {
    await w.close();
  }
  const r = config.rules.find((x) => x.name === name)!;
  process.stdout.write(
    `${path}: rule ${JSON.stringify(name)} is now ${r.enabled ? "enabled" : "disabled"}: ${r.kind} over ${r.period_days} days above ${r.threshold}${r.kind === "exposure" ? ` (${r.measure}${r.measure === "share" ? " %" : ""})` : ""}${r.kind !== "count" ? ` of ${r.token}` : ""}, direction ${r.direction}, wallets ${r.wallets ? r.wallets.join(",") : "all"}\n`,
  );
  return 0;
}

export async function backtestCommand(
  opts: GlobalOptions & { from: string; to: string; json?: boolean },
): Promise<number> {
  const fromMs = parseIsoTime(opts.from, "--from", "rules backtest");
  const toMs = parseIsoTime(opts.to, "--to", "rules backtest");
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs < fromMs)
    throw new UsageError(`rules backtest: --from and --to must be ISO dates with from <= to`);
  return withWarehouse(opts, async ({ config, warehouse: w }) => {
    await saveRules(w, rulesFromConfig(config));
    await refreshRollup(w);
    const events = await backtest({ warehouse: w, fromMs: fromMs + DAY_MS - 1, toMs: toMs + DAY_MS - 1 });
    const rows = events.map((e) => ({
      rule: e.rule,
      wallet: e.wallet,
      opened: isoUtc(e.openedMs).slice(0, 10),
      closed: e.closedMs ? isoUtc(e.closedMs).slice(0, 10) : "still open",
      "peak value": e.peakValue,
      days: e.evaluations,
    }));
    process.stdout.write(
      opts.json
        ? JSON.stringify(rows, null, 2) + "\n"
        : `evaluated at the end of each day from ${opts.from} to ${opts.to}:\n${table(rows)}\n`,
    );
    return 0;
  });
}

export async function alertsListCommand(
  opts: GlobalOptions & { status?: string; json?: boolean; wallet?: string; rule?: string; severity?: string },
): Promise<number> {
  if (opts.status && !["open", "acknowledged", "resolved", "active"].includes(opts.status))
    throw new UsageError(`alerts list: --status must be open, acknowledged, resolved or active`);
  if (opts.severity && !["warning", "critical"].includes(opts.severity))
    throw new UsageError(`alerts list: --severity must be warning or critical (health alerts are critical)`);
  return withWarehouse(
    opts,
    async ({ config, warehouse: w }) => {
      const wallet = opts.wallet ? findWallet(config.wallets, opts.wallet, "alerts list --wallet").address : undefined;
      const alerts = (
        await loadAlerts(w, { status: opts.status as AlertFilter["status"], wallet, rule: opts.rule })
      ).filter((a) => !opts.severity || alertSeverity(a.kind) === opts.severity);
      if (opts.json)
        process.stdout.write(
          JSON.stringify(
            alerts.map((a) => alertExport(a, a.lastSeenMs)),
            null,
            2,
          ) + "\n",
        );
      else
        process.stdout.write(
          table(
            alerts.map((a) => ({
              id: a.alertId,
              severity: alertSeverity(a.kind),
              status: a.status,
              rule: a.ruleName,
              wallet: a.wallet,
              value: a.value,
              threshold: a.threshold,
              token: a.tokenSymbol ?? a.tokenId ?? "-",
              "first seen": isoUtc(a.firstSeenMs),
              "last seen": isoUtc(a.lastSeenMs),
              note: a.note,
            })),
          ) + "\n",
        );
      return 0;
    },
    false,
  );
}

export async function alertsActCommand(
  action: "ack" | "resolve",
  id: string,
  opts: GlobalOptions & { note: string; by?: string },
): Promise<number> {
  return withWarehouse(
    opts,
    async ({ config, warehouse: w }) => {
      const now = Date.now();
      const updated = await actOnAlert(w, {
        id,
        action,
        note: opts.note,
        by: opts.by ?? userInfo().username,
        nowMs: now,
      });
      const file = await exportPendingAlerts(w, config.output.dir, now);
      process.stdout.write(
        `alert ${id} ${updated.status} by ${updated.actedBy}: ${opts.note}${file ? ` (exported to ${file})` : ""}\n`,
      );
      return 0;
    },
    false,
  );
}

export async function exportAlertsCommand(opts: GlobalOptions & { format: string; out?: string }): Promise<number> {
  const { config } = loadContext(opts);
  const w = await openWarehouse(config);
  try {
    const rows = (await loadAlerts(w)).map((a) => alertExport(a, a.lastSeenMs));
    const fields = [
      "alert_id",
      "status",
      "wallet",
      "rule",
      "value",
      "threshold",
      "unit",
      "exported_at",
      "token",
      "token_symbol",
      "direction",
      "period_days",
      "first_seen",
      "last_seen",
      "resolved_at",
      "note",
      "acted_by",
    ];
    await writeRows(opts.out, opts.format as Format, fields, rows);
    return 0;
  } finally {
    await w.close();
  }
}
