import { findWallet } from "../../config/wallets.ts";
import { loadContext, openWarehouse, parseCount, parseNow, withWarehouse, type GlobalOptions } from "../context.ts";
import { refreshRollup } from "../../warehouse/activity/rollup.ts";
import { table } from "../table.ts";
import { detectAnomalies } from "../../anomalies/detect.ts";
import { screenRisk } from "../../risk/screen-risk.ts";
import { allAnomalies, latestAnomalies } from "../../anomalies/anomaly-store.ts";
import { anomalyExport } from "../../export/shapes.ts";
import { UsageError } from "../../internal/errors.ts";
import { type Format, writeRows } from "../../export/format.ts";
import { isoUtc } from "../../model/columns.ts";
import { FINDING_TYPES } from "../../model/anomaly-types.ts";

const TYPES: readonly string[] = FINDING_TYPES;

export async function detectCommand(opts: GlobalOptions & { now?: string; json?: boolean }): Promise<number> {
  const nowMs = parseNow(opts.now, "detect");
  return withWarehouse(opts, async ({ config, warehouse: w }) => {
    await refreshRollup(w);
    const screened = config.risk.screening ? await screenRisk(w, config, nowMs) : null;
    const s = await detectAnomalies({
      warehouse: w,
      config,
      nowMs,
      outDir: config.output.dir,
      screened: screened?.found,
    });
    if (opts.json) process.stdout.write(JSON.stringify(s, null, 2) + "\n");
    else
      process.stdout.write(
        `anomalies found at ${isoUtc(nowMs)}: ${
          Object.entries(s.found)
            .map(([k, v]) => `${v} ${k}`)
            .join(", ") || "none"
        }${s.exportedFile ? `; wrote ${s.exportedFile}` : ""}\n`,
      );
    return 0;
  });
}

export async function anomaliesListCommand(
  opts: GlobalOptions & { type?: string; json?: boolean; limit?: string; wallet?: string; severity?: string },
): Promise<number> {
  const limit = parseCount(opts.limit, "--limit", "anomalies list", 1, 1_000_000, 200);
  if (opts.type && !TYPES.includes(opts.type))
    throw new UsageError(`anomalies list: --type must be one of ${TYPES.join(", ")}`);
  const severity = opts.severity as "info" | "warning" | "critical" | undefined;
  if (severity && !["info", "warning", "critical"].includes(severity))
    throw new UsageError(`anomalies list: --severity must be info, warning or critical (that one and above)`);
  return withWarehouse(
    opts,
    async ({ config, warehouse: w }) => {
      const wallet = opts.wallet
        ? findWallet(config.wallets, opts.wallet, "anomalies list --wallet").address
        : undefined;
      const rows = await latestAnomalies(w, { type: opts.type, wallet, minSeverity: severity, limit });
      const out = rows.map(anomalyExport);
      if (opts.json) process.stdout.write(JSON.stringify(out, null, 2) + "\n");
      else
        process.stdout.write(
          table(
            out.map((a) => ({
              id: a.anomaly_id,
              type: a.anomaly_type,
              severity: a.severity,
              wallet: a.wallet,
              when: a.occurred_at,
              amount: a.amount,
              token: a.token_symbol,
              reason: String(a.reason).slice(0, 140),
            })),
          ) + "\n",
        );
      return 0;
    },
    false,
  );
}

export async function exportAnomaliesCommand(opts: GlobalOptions & { format: string; out?: string }): Promise<number> {
  const { config } = loadContext(opts);
  const w = await openWarehouse(config);
  try {
    const rows = (await allAnomalies(w)).map(anomalyExport);
    const fields = [
      "anomaly_id",
      "wallet",
      "transaction_id",
      "anomaly_type",
      "severity",
      "amount",
      "reason",
      "token",
      "token_symbol",
      "amount_raw",
      "detected_at",
      "occurred_at",
      "transfer_id",
      "details",
      "reviewed_by",
      "suppressed_by",
    ];
    await writeRows(opts.out, opts.format as Format, fields, rows);
    return 0;
  } finally {
    await w.close();
  }
}
