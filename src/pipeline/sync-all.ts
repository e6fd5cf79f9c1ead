// Syncing every watched wallet x every stream from TronScan under one rate limit (the first step of a cycle);
// the run is recorded.
import { HOUR_MS } from "../model/time.ts";
import pLimit from "p-limit";
import { BaseError } from "../internal/errors.ts";
import { ENDPOINTS } from "../model/rows.ts";
import { syncEndpoint } from "./sync-endpoint.ts";
import type { EndpointSummary, Progress, Shortfall, SyncDeps, SyncSettings } from "./walk-types.ts";
import { settlePending, type SettleCounts } from "./settle-pending.ts";
import { TokenCache } from "./token-cache.ts";
import { createRunOutputs, newRunId } from "./outputs.ts";
import { createArchive } from "../source/archive.ts";
import { join } from "node:path";
import type { Config } from "../config/schema.ts";
import type { Warehouse } from "../warehouse/types.ts";
import type { TronscanClient } from "../source/tronscan/client.ts";
import type { Logger } from "../internal/logger.ts";

export type RunSummary = {
  runId: string;
  status: "success" | "failed" | "interrupted";
  durationMs: number;
  endpoints: EndpointSummary[];
  /** `exitCode`: the failure's class (see internal/errors.ts), for a command's exit status. */
  errors: { wallet: string; endpoint: string; error: string; exitCode?: number }[];
  /** Stretches whose rows stayed fewer than the API counts after every re-read (see sync-endpoint.ts). */
  shortfalls: (Shortfall & { wallet: string; endpoint: string })[];
  /** Unconfirmed transactions older than pending_max_age_hours looked up by hash (see settle-pending.ts). */
  settled: SettleCounts | null;
  totals: {
    requests: number;
    pages: number;
    transactionsNew: number;
    transfersNew: number;
    updated: number;
    quarantined: number;
    retries: number;
    throttled: number;
    throttledMs: number;
    rescaled: number;
  };
};

export function syncSettings(config: Config): SyncSettings {
  return {
    historyStartMs: config.source.history_start ? Date.parse(config.source.history_start) : 0,
    overlapMs: config.source.overlap_minutes * 60_000,
    pendingMaxAgeMs: config.source.pending_max_age_hours * HOUR_MS,
  };
}

/** What every walk of a run shares: client, warehouse, token cache, archive, structured output. */
export async function createSyncDeps(args: {
  config: Config;
  warehouse: Warehouse;
  client: TronscanClient;
  runId: string;
  nowMs: number;
  signal?: AbortSignal;
  onProgress?: Progress;
  logger?: Logger;
}): Promise<SyncDeps> {
  const { config } = args;
  return {
    client: args.client,
    warehouse: args.warehouse,
    tokens: new TokenCache(await args.warehouse.tokens()),
    runId: args.runId,
    nowMs: args.nowMs,
    settings: syncSettings(config),
    signal: args.signal,
    onProgress: args.onProgress,
    logger: args.logger,
    archive: createArchive({ dir: config.output.raw_archive ? join(config.output.dir, "raw") : null }),
    outputs: createRunOutputs({ dir: config.output.dir, runId: args.runId, structured: config.output.structured }),
  };
}

export async function syncAll(args: {
  config: Config;
  warehouse: Warehouse;
  client: TronscanClient;
  logger: Logger;
  nowMs?: number;
  signal?: AbortSignal;
  onProgress?: Progress;
  command?: string;
  /** Only these wallets' streams are synced (hybrid operation: those still backfilling); all are registered. */
  syncWallets?: readonly string[];
}): Promise<RunSummary> {
  const { config, warehouse, client, logger } = args;
  const only = args.syncWallets && new Set(args.syncWallets);
  const started = Date.now();
  const nowMs = args.nowMs ?? started;
  const runId = newRunId(started);
  const log = logger.child({ run_id: runId });
  await warehouse.recordRun({ runId, command: args.command ?? "run", startedAtMs: started, status: "running" });
  const statsBefore = {
    retries: client.stats.retries,
    throttled: client.stats.throttled,
    throttledMs: client.stats.throttledMs,
  };
  const endpoints: EndpointSummary[] = [];
  const errors: RunSummary["errors"] = [];
  let rescaled = 0;
  let settled: SettleCounts | null = null;
  try {
    await warehouse.setWallets(config.wallets.map((w) => ({ address: w.address, label: w.label })));
    const deps = await createSyncDeps({
      config,
      warehouse,
      client,
      runId,
      nowMs,
      signal: args.signal,
      onProgress: args.onProgress,
      logger: log,
    });
    const limit = pLimit(config.source.concurrency);
    await Promise.all(
      config.wallets
        .filter((w) => !only || only.has(w.address))
        .flatMap((w) =>
          ENDPOINTS.map((ep) =>
            limit(async () => {
              const t0 = Date.now();
              try {
                const s = await syncEndpoint(deps, w.address, ep);
                endpoints.push(s);
                log.info({
                  msg: "Synced wallet endpoint",
                  wallet: w.address,
                  label: w.label,
                  endpoint: ep,
                  mode: s.mode,
                  pages: s.pages,
                  requests: s.requests,
                  new_transfers: s.transfersNew,
                  new_transactions: s.transactionsNew,
                  updated: s.transfersUpdated + s.transactionsUpdated,
                  quarantined: s.quarantined,
                  shortfalls: s.shortfalls.length,
                  duration: Date.now() - t0,
                });
              } catch (e) {
                if (args.signal?.aborted) throw e;
                const error = (e as Error).message;
                errors.push({
                  wallet: w.address,
                  endpoint: ep,
                  error,
                  exitCode: e instanceof BaseError ? e.exitCode : 1,
                });
                log.error({
                  msg: "Failed wallet endpoint",
                  wallet: w.address,
                  endpoint: ep,
                  error,
                  duration: Date.now() - t0,
                });
              }
            }),
          ),
        ),
    );
    settled = await settlePending({
      warehouse,
      client,
      nowMs,
      pendingMaxAgeMs: deps.settings.pendingMaxAgeMs,
      signal: args.signal,
    });
    if (settled.checked) log.info({ msg: "Settled old unconfirmed transactions", ...settled });
    rescaled = await warehouse.rescaleTransfers();
  } catch (e) {
    errors.push({
      wallet: "*",
      endpoint: "*",
      error: args.signal?.aborted
        ? "interrupted (SIGINT/SIGTERM): abandoned; the next run resumes from the committed cursors"
        : (e as Error).message,
      exitCode: e instanceof BaseError ? e.exitCode : 1,
    });
  }
  const sum = (f: (s: EndpointSummary) => number) => endpoints.reduce((a, s) => a + f(s), 0);
  const summary: RunSummary = {
    runId,
    status: args.signal?.aborted ? "interrupted" : errors.length ? "failed" : "success",
    durationMs: Date.now() - started,
    endpoints,
    errors,
    shortfalls: endpoints.flatMap((e) => e.shortfalls.map((s) => ({ ...s, wallet: e.wallet, endpoint: e.endpoint }))),
    settled,
    totals: {
      requests: sum((s) => s.requests),
      pages: sum((s) => s.pages),
      transactionsNew: sum((s) => s.transactionsNew),
      transfersNew: sum((s) => s.transfersNew),
      updated: sum((s) => s.transfersUpdated + s.transactionsUpdated),
      quarantined: sum((s) => s.quarantined),
      retries: client.stats.retries - statsBefore.retries,
      throttled: client.stats.throttled - statsBefore.throttled,
      throttledMs: Math.round(client.stats.throttledMs - statsBefore.throttledMs),
      rescaled,
    },
  };
  await warehouse.recordRun({
    runId,
    command: args.command ?? "run",
    startedAtMs: started,
    endedAtMs: Date.now(),
    status: summary.status,
    error: errors.length ? errors.map((e) => `${e.wallet} ${e.endpoint}: ${e.error}`).join("\n") : null,
    counts: { ...summary.totals, endpoints: endpoints.length, shortfalls: summary.shortfalls.length, settled },
  });
  log.info({
    msg: "Finished run",
    status: summary.status,
    ...summary.totals,
    errors: errors.length,
    duration: summary.durationMs,
  });
  return summary;
}
