import { createClient, loadContext, openWarehouse, type GlobalOptions } from "../context.ts";
import { createProgress } from "../progress.ts";
import { runCycle, type RunSummary } from "../../pipeline/run-cycle.ts";
import { SourceUnavailableError } from "../../internal/errors.ts";
import { table } from "../table.ts";
import { evaluateRules, type EvaluationSummary } from "../../rules/evaluate.ts";
import { rulesFromConfig, syncRules } from "../../rules/store.ts";
import { detectAnomalies, type DetectionSummary } from "../../anomalies/detect.ts";

export async function runCommand(opts: GlobalOptions & { json?: boolean }): Promise<number> {
  const { config, logger } = loadContext(opts);
  const warehouse = await openWarehouse(config);
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error("interrupted"));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const progress = createProgress(Object.fromEntries(config.wallets.map((w) => [w.address, w.label])));
  let summary: RunSummary;
  let evaluation: EvaluationSummary | null = null;
  let evaluationError: string | null = null;
  let detection: DetectionSummary | null = null;
  try {
    summary = await runCycle({ config, warehouse, client: createClient(config, logger), logger, signal: controller.signal, onProgress: progress.onProgress });
    progress.stop();
    try {
      await syncRules(warehouse, rulesFromConfig(config));
      evaluation = await evaluateRules({ warehouse, nowMs: Date.now(), outDir: config.output.dir });
      logger.info({ msg: "Evaluated rules", ...evaluation });
      detection = await detectAnomalies({ warehouse, config, nowMs: Date.now(), outDir: config.output.dir });
      logger.info({ msg: "Detected anomalies", ...detection });
    } catch (e) {
      evaluationError = (e as Error).message;
      logger.error({ msg: "Failed rule evaluation", error: evaluationError });
    }
  } finally {
    progress.stop();
    await warehouse.close();
  }
  if (opts.json) process.stdout.write(JSON.stringify({ ...summary, evaluation, detection, evaluationError }, null, 2) + "\n");
  else {
    printSummary(summary, Object.fromEntries(config.wallets.map((w) => [w.address, w.label])));
    if (evaluation) process.stdout.write(`rules: ${evaluation.rules} evaluated, ${evaluation.opened} alerts opened, ${evaluation.changed} changed, ${evaluation.resolved} resolved${evaluation.exportedFile ? ` -> ${evaluation.exportedFile}` : ""}\n`);
    if (detection) process.stdout.write(`anomalies: ${Object.entries(detection.found).map(([k, v]) => `${v} ${k}`).join(", ") || "none new"}${detection.exportedFile ? ` -> ${detection.exportedFile}` : ""}\n`);
    if (evaluationError) process.stderr.write(`rule evaluation failed: ${evaluationError}\n`);
  }
  if (summary.status === "failed") {
    const refused = summary.errors.find((e) => /refused .* with HTTP/.test(e.error));
    process.stderr.write(`\nRun ${summary.runId} failed (recorded in the runs table):\n${summary.errors.map((e) => `  ${e.wallet} ${e.endpoint}: ${e.error}`).join("\n")}\n`);
    return refused ? 3 : new SourceUnavailableError("").exitCode;
  }
  return 0;
}

function printSummary(s: RunSummary, labels: Record<string, string | null>) {
  const byWallet = new Map<string, RunSummary["endpoints"]>(Object.keys(labels).map((w) => [w, []]));
  for (const e of s.endpoints) byWallet.set(e.wallet, [...(byWallet.get(e.wallet) ?? []), e]);
  const rows = [...byWallet.entries()].filter(([, eps]) => eps.length).map(([wallet, eps]) => {
    const sum = (f: (e: RunSummary["endpoints"][number]) => number) => eps.reduce((a, e) => a + f(e), 0);
    const synced = Math.min(...eps.map((e) => e.syncedToMs ?? 0));
    return {
      wallet: `${labels[wallet] ?? ""} ${wallet}`.trim(), mode: [...new Set(eps.map((e) => e.mode))].join("/"),
      pages: sum((e) => e.pages), requests: sum((e) => e.requests), "tx new": sum((e) => e.transactionsNew),
      "transfers new": sum((e) => e.transfersNew), updated: sum((e) => e.transfersUpdated + e.transactionsUpdated),
      quarantined: sum((e) => e.quarantined), "synced to (UTC)": synced ? new Date(synced).toISOString().slice(0, 19).replace("T", " ") : "-",
    };
  });
  process.stdout.write(table(rows) + "\n");
  const t = s.totals;
  process.stdout.write(`run ${s.runId}: ${s.status} in ${(s.durationMs / 1000).toFixed(1)} s — ${t.requests} requests (${t.retries} retries, ${t.throttled} throttled), ${t.transactionsNew} new transactions, ${t.transfersNew} new transfers, ${t.updated} updated, ${t.quarantined} quarantined\n`);
}
