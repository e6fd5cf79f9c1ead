// The shapes one stream's walk is given and gives back (sync-endpoint.ts runs it; sync-all.ts and verify.ts call it).
import type { Endpoint } from "../model/rows.ts";
import type { Mode } from "./walk-plan.ts";
import type { TokenCache } from "./token-cache.ts";
import type { LoadCounts, Warehouse } from "../warehouse/types.ts";
import type { TronscanClient } from "../source/tronscan/client.ts";
import type { Archive } from "../source/archive.ts";
import type { RunOutputs } from "./outputs.ts";
import type { Logger } from "../internal/logger.ts";
import { NonRetryableError, SourceUnavailableError } from "../internal/errors.ts";

export type SyncSettings = {
  /** Pages are committed (rows + cursor, one transaction) once this many rows are buffered... */
  flushRows?: number;
  /** ...or this long after the last commit, and always at the end of a walk. */
  flushMs?: number;
  historyStartMs: number;
  overlapMs: number;
  pendingMaxAgeMs: number;
};

/** A stretch of time whose rows stayed fewer than the API counts after every re-read. */
export type Shortfall = { fromMs: number; toMs: number; expected: number; held: number };

export type EndpointSummary = LoadCounts & {
  wallet: string;
  endpoint: Endpoint;
  mode: Mode;
  pages: number;
  requests: number;
  skipped: number;
  syncedToMs: number | null;
  shortfalls: Shortfall[];
};

export type Progress = (p: {
  wallet: string;
  endpoint: Endpoint;
  rows: number;
  expected: number | null;
  reachedMs: number | null;
}) => void;

export type SyncDeps = {
  client: TronscanClient;
  warehouse: Warehouse;
  archive: Archive;
  tokens: TokenCache;
  runId: string;
  nowMs: number;
  settings: SyncSettings;
  signal?: AbortSignal;
  onProgress?: Progress;
  outputs?: RunOutputs;
  logger?: Logger;
  /** Requests this walk may still make (verify's repairs); past it the walk stops with a BudgetSpentError. */
  budget?: { left: number };
};

/** A walk spent its request budget (verify's repair of a day whose count it cannot meet). */
export class BudgetSpentError extends NonRetryableError {
  override name = "BudgetSpentError";
}

/** Answers in a row made no progress: the stream stops (rows committed so far are kept). */
export class StreamStalledError extends SourceUnavailableError {
  override name = "StreamStalledError";
}
