import { errorLines } from "../../pipeline/errors-text.ts";
import { createClient, loadContext, openWarehouse, type GlobalOptions } from "../context.ts";
import { createProgress } from "../progress.ts";
import type { RunSummary } from "../../pipeline/sync-all.ts";
import { runCycle, type CycleResult } from "../../pipeline/cycle.ts";
import { InterruptedError, SourceUnavailableError } from "../../internal/errors.ts";
import { table } from "../table.ts";

export async function runCommand(opts: GlobalOptions & { json?: boolean }): Promise<number> {
  const { config, logger } = loadContext(opts);
  const warehouse = await openWarehouse(config);
  const controller = new AbortController();
  const onSignal = () => controller.abort(new InterruptedError());
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const progress = createProgress(Object.fromEntries(config.wallets.map((w) => [w.address, w.label])));
  let r: CycleResult;
  try {
    r = await runCycle({
      config,
      warehouse,
      client: createClient(config, logger),
      logger,
      command: "run",
      signal: controller.signal,
      onProgress: progress.onProgress,
    });
  } finally {
    progress.stop();
    await warehouse.close();
  }
  const { summary, evaluation, detection, delivery } = r;
  const labels = Object.fromEntries(config.wallets.map((w) => [w.address, w.label ?? null]));
  if (opts.json) process.stdout.write(JSON.stringify(r, null, 2) + "\n");
  else {
    printSummary(summary, labels);
    if (evaluation)
      process.stdout.write(
        `rules: ${evaluation.rules} evaluated, ${evaluation.opened} alerts opened, ${evaluation.changed} changed, ${evaluation.resolved} resolved${evaluation.exportedFile ? ` -> ${evaluation.exportedFile}` : ""}\n`,
      );
    if (detection)
      process.stdout.write(
        `anomalies: ${
          Object.entries(detection.found)
            .map(([k, v]) => `${v} ${k}`)
            .join(", ") || "none new"
        }${detection.exportedFile ? ` -> ${detection.exportedFile}` : ""}\n`,
      );
    if (delivery && (delivery.queued || delivery.delivered || delivery.failed || delivery.gaveUp))
      process.stdout.write(
        `notifications: ${delivery.queued} queued, ${delivery.delivered} delivered, ${delivery.failed} to retry, ${delivery.gaveUp} given up\n`,
      );
    if (r.postError) process.stderr.write(`after the sync: ${r.postError}\n`);
  }
  if (summary.status === "interrupted") {
    process.stderr.write(`Run ${summary.runId} interrupted: what was loaded is kept; the next run resumes.\n`);
    return 130;
  }
  if (summary.status === "failed") {
    // the most telling exit code among the failed streams: a refusal (3) says more than "try again" (75)
    const codes = summary.errors.map((e) => e.exitCode ?? 1);
    process.stderr.write(
      `\nRun ${summary.runId} failed (recorded in the runs table):\n${errorLines(summary.errors, labels)
        .map((l) => `  ${l}`)
        .join("\n")}\n`,
    );
    return codes.includes(3) ? 3 : codes.includes(4) ? 4 : new SourceUnavailableError("").exitCode;
  }
  return 0;
}

function printSummary(s: RunSummary, labels: Record<string, string | null>) {
  const byWallet = new Map<string, RunSummary["endpoints"]>(Object.keys(labels).map((w) => [w, []]));
  for (const e of s.endpoints) byWallet.set(e.wallet, [...(byWallet.get(e.wallet) ?? []), e]);
  const rows = [...byWallet.entries()]
    .filter(([, eps]) => eps.length)
    .map(([wallet, eps]) => {
      const sum = (f: (e: RunSummary["endpoints"][number]) => number) => eps.reduce((a, e) => a + f(e), 0);
      const synced = Math.min(...eps.map((e) => e.syncedToMs ?? 0));
      return {
        wallet: `${labels[wallet] ?? ""} ${wallet}`.trim(),
        mode: [...new Set(eps.map((e) => e.mode))].join("/"),
        pages: sum((e) => e.pages),
        requests: sum((e) => e.requests),
        "tx new": sum((e) => e.transactionsNew),
        "transfers new": sum((e) => e.transfersNew),
        updated: sum((e) => e.transfersUpdated + e.transactionsUpdated),
        quarantined: sum((e) => e.quarantined),
        "synced to (UTC)": synced ? new Date(synced).toISOString().slice(0, 19).replace("T", " ") : "-",
      };
    });
  process.stdout.write(table(rows) + "\n");
  const t = s.totals;
  process.stdout.write(
    `run ${s.runId}: ${s.status} in ${(s.durationMs / 1000).toFixed(1)} s — ${t.requests} requests (${t.retries} retries, ${t.throttled} throttled), ${t.transactionsNew} new transactions, ${t.transfersNew} new transfers, ${t.updated} updated, ${t.quarantined} quarantined\n`,
  );
}
