// Syncing every watched wallet x every stream from TronScan under one rate limit (the first step of a cycle);
// the run is recorded.
import { errorLines } from "./errors-text.ts";
import { HOUR_MS } from "../model/time.ts";
import pLimit from "p-limit";
import { BaseError } from "../internal/errors.ts";
import { type Endpoint, ENDPOINTS } from "../model/rows.ts";
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

type SyncAllArgs = {
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
};

/** What the streams of one run have done so far. */
type RunState = {
  endpoints: EndpointSummary[];
  errors: RunSummary["errors"];
  rescaled: number;
  settled: SettleCounts | null;
};

export async function syncAll(args: SyncAllArgs): Promise<RunSummary> {
  const { warehouse, client } = args;
  const started = Date.now();
  const nowMs = args.nowMs ?? started;
  const runId = newRunId(started);
  const log = args.logger.child({ run_id: runId });
  await warehouse.recordRun({ runId, command: args.command ?? "run", startedAtMs: started, status: "running" });
  const statsBefore = { ...client.stats };
  const state: RunState = { endpoints: [], errors: [], rescaled: 0, settled: null };
  try {
    await syncStreams(args, state, runId, nowMs, log);
  } catch (e) {
    state.errors.push({
      wallet: "*",
      endpoint: "*",
      error: args.signal?.aborted
        ? "interrupted (SIGINT/SIGTERM): abandoned; the next run resumes from the committed cursors"
        : (e as Error).message,
      exitCode: e instanceof BaseError ? e.exitCode : 1,
    });
  }
  const summary = runSummary(state, runId, started, args.signal?.aborted === true, client, statsBefore);
  await warehouse.recordRun({
    runId,
    command: args.command ?? "run",
    startedAtMs: started,
    endedAtMs: Date.now(),
    status: summary.status,
    error: state.errors.length ? errorLines(state.errors).join("\n") : null,
    counts: {
      ...summary.totals,
      endpoints: state.endpoints.length,
      shortfalls: summary.shortfalls.length,
      settled: state.settled,
    },
  });
  log.info({
    msg: "Finished run",
    status: summary.status,
    ...summary.totals,
    errors: state.errors.length,
    duration: summary.durationMs,
  });
  return summary;
}

/** The wallets registered, every stream walked under one concurrency limit, old pending rows settled, rescaling. */
async function syncStreams(args: SyncAllArgs, state: RunState, runId: string, nowMs: number, log: Logger) {
  const { config, warehouse, client } = args;
  const only = args.syncWallets && new Set(args.syncWallets);
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
      .flatMap((w) => ENDPOINTS.map((ep) => limit(() => syncStream(deps, w, ep, state, log, args.signal)))),
  );
  const { pendingMaxAgeMs } = deps.settings;
  state.settled = await settlePending({ warehouse, client, nowMs, pendingMaxAgeMs, signal: args.signal });
  if (state.settled.checked) log.info({ msg: "Settled old unconfirmed transactions", ...state.settled });
  state.rescaled = await warehouse.rescaleTransfers();
}

/** One stream of one wallet; its failure is recorded and the other streams go on (an interruption is not). */
async function syncStream(
  deps: SyncDeps,
  w: { address: string; label?: string | null },
  ep: Endpoint,
  state: RunState,
  log: Logger,
  signal?: AbortSignal,
) {
  const t0 = Date.now();
  try {
    const s = await syncEndpoint(deps, w.address, ep);
    state.endpoints.push(s);
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
    if (signal?.aborted) throw e;
    const error = (e as Error).message;
    // the first stream to fail for a reason is an error; others failing for the same reason (no network: every
    // stream) are logged at info, so a terminal shows the reason once and the log file still has every stream
    const again = state.errors.some((x) => x.error === error);
    state.errors.push({ wallet: w.address, endpoint: ep, error, exitCode: e instanceof BaseError ? e.exitCode : 1 });
    log[again ? "info" : "error"]({
      msg: again ? "Failed wallet endpoint (same reason as another stream)" : "Failed wallet endpoint",
      wallet: w.address,
      endpoint: ep,
      error,
      duration: Date.now() - t0,
    });
  }
}

function runSummary(
  state: RunState,
  runId: string,
  started: number,
  aborted: boolean,
  client: TronscanClient,
  before: TronscanClient["stats"],
): RunSummary {
  const { endpoints, errors } = state;
  const sum = (f: (s: EndpointSummary) => number) => endpoints.reduce((a, s) => a + f(s), 0);
  return {
    runId,
    status: aborted ? "interrupted" : errors.length ? "failed" : "success",
    durationMs: Date.now() - started,
    endpoints,
    errors,
    shortfalls: endpoints.flatMap((e) => e.shortfalls.map((s) => ({ ...s, wallet: e.wallet, endpoint: e.endpoint }))),
    settled: state.settled,
    totals: {
      requests: sum((s) => s.requests),
      pages: sum((s) => s.pages),
      transactionsNew: sum((s) => s.transactionsNew),
      transfersNew: sum((s) => s.transfersNew),
      updated: sum((s) => s.transfersUpdated + s.transactionsUpdated),
      quarantined: sum((s) => s.quarantined),
      retries: client.stats.retries - before.retries,
      throttled: client.stats.throttled - before.throttled,
      throttledMs: Math.round(client.stats.throttledMs - before.throttledMs),
      rescaled: state.rescaled,
    },
  };
}
