// The narrow Warehouse interface every engine implements, and the Dialect that holds SQL differences.
import type { Endpoint, NormalizedBatch, TokenRow } from "../model/rows.ts";

import type { ColumnType } from "../model/columns.ts";
import type { Labelled } from "./sql.ts";

export type Dialect = {
  readonly name: "duckdb" | "snowflake";
  columnType(t: ColumnType): string;
  /** Milliseconds since the epoch (BIGINT expression) to a UTC timestamp. */
  msToTimestamp(ms: string): string;
  /** Exact integer text to the raw-amount type, NULL when it does not fit. */
  toRawAmount(text: string): string;
  /** JSON text to the json column type. */
  toJson(text: string): string;
  /** A json column's value as its JSON text (to search with LIKE). */
  jsonText(expr: string): string;
  /** Current UTC timestamp. */
  now(): string;
  /** A timestamp expression as milliseconds since the epoch (BIGINT). */
  timestampToMs(ts: string): string;
  /** Current time in milliseconds since the epoch (BIGINT). */
  nowMs(): string;
  /** Inserts the rows (positional parameters in `columns` order) whose keys are not stored yet. */
  insertMissingSql: WriteSql;
  /** Insert-or-update of `rowCount` rows given as positional parameters in `columns` order. */
  upsertSql: WriteSql;
  /** Inserts the rows of a SELECT (its columns named like `keys`) whose keys are not stored yet. */
  insertSelectMissingSql(table: string, keys: readonly string[], select: string): string;
  /** Whether MEDIAN works as a window function over a RANGE frame (DuckDB yes, Snowflake no). */
  readonly framedMedian: boolean;
  /** Whether DDL can run inside a transaction (DuckDB yes; Snowflake commits it implicitly). */
  readonly transactionalDdl: boolean;
};

export type WriteSql = (
  table: string,
  columns: readonly string[],
  keys: readonly string[],
  rowCount: number,
  opts?: WriteOptions,
) => string;

/** How a write treats its columns: which are JSON text, which are converted from the parameter (e.g. ms to
 *  a timestamp), which an update changes (default: every non-key column) and which keep the stored value when
 *  the new one is NULL. */
export type WriteOptions = {
  json?: readonly string[];
  convert?: Readonly<Record<string, (ref: string) => string>>;
  update?: readonly string[];
  keepWhenNull?: readonly string[];
};

/** A statement inside a transaction: a labelled Sql value (sql.ts). */
export type Query = <R = Record<string, unknown>>(q: Labelled) => Promise<R[]>;

/** Where a block follower stands: the last block processed (its rows loaded with it), by number and id. */
export type BlockCursor = { source: string; number: number; blockId: string; timestampMs: number };
/** The block followers' cursor names: the solidified chain, and the fast lane's unconfirmed tip. */
export const NODE_SOURCE = "node";
export const TIP_SOURCE = "node-tip";
/** The block follower covers these wallets from block `fromBlock`; `fromMs` is the time TronScan must reach. */
export type Coverage = { wallets: readonly string[]; fromBlock: number; fromMs: number };
/** Blocks `from..to` (inclusive) a load covers entirely, and their times. */
export type BlockRange = { from: number; to: number; fromMs: number; toMs: number };

export type Cursor = {
  wallet: string;
  endpoint: Endpoint;
  /** Everything at or before this time (from the history start) is loaded. Null until the first backfill ends. */
  syncedToMs: number | null;
  /** A walk under way: rows with timestamp in (walkLowMs, walkTopMs] are loaded. */
  walkTopMs: number | null;
  walkLowMs: number | null;
  /** Lower bound of the walk (history start, or syncedTo minus overlap). */
  walkFloorMs: number | null;
  /** Newest row time seen on this endpoint: incremental runs re-read from here (minus the overlap), so a
   *  source that lags behind our clock loses nothing. */
  newestMs: number | null;
};

export type LoadCounts = {
  transactionsNew: number;
  transactionsUpdated: number;
  transfersNew: number;
  transfersUpdated: number;
  quarantined: number;
  /** Unconfirmed rows of a followed block range that the canonical block no longer holds. */
  dropped: number;
};

export const emptyLoadCounts = (): LoadCounts => ({
  transactionsNew: 0,
  transactionsUpdated: 0,
  transfersNew: 0,
  transfersUpdated: 0,
  quarantined: 0,
  dropped: 0,
});

export function addLoadCounts(into: LoadCounts, c: LoadCounts): void {
  into.transactionsNew += c.transactionsNew;
  into.transactionsUpdated += c.transactionsUpdated;
  into.transfersNew += c.transfersNew;
  into.transfersUpdated += c.transfersUpdated;
  into.quarantined += c.quarantined;
  into.dropped += c.dropped;
}

export type RunRecord = {
  runId: string;
  command: string;
  startedAtMs: number;
  endedAtMs?: number;
  status: "running" | "success" | "failed" | "interrupted";
  error?: string | null;
  counts?: Record<string, unknown>;
};

export type Warehouse = {
  readonly dialect: Dialect;
  readonly description: string;
  migrate(): Promise<void>;
  /** Loads one batch and moves the cursors it covers, all in one transaction. Idempotent. */
  load(args: {
    batch: NormalizedBatch;
    cursors?: Cursor[];
    blockCursor?: BlockCursor;
    /** The blocks this batch holds every watched movement of: their unconfirmed rows not in it are dropped. */
    blockRange?: BlockRange;
    /** Blocks whose unconfirmed rows are now solidified as they are (the fast lane loaded these very blocks). */
    confirmRange?: BlockRange;
    /** The block follower covers these wallets from this load's first block on (warehouse/coverage.ts). */
    coverage?: Coverage;
    runId: string;
  }): Promise<LoadCounts>;
  /** The block follower's cursor (`source`: the follower's name), or null before its first block. */
  getBlockCursor(source: string): Promise<BlockCursor | null>;
  getCursor(wallet: string, endpoint: Endpoint): Promise<Cursor | null>;
  /** Oldest unconfirmed transfer/transaction timestamp touching a wallet, newer than sinceMs. */
  oldestPendingMs(wallet: string, sinceMs: number): Promise<number | null>;
  tokens(): Promise<TokenRow[]>;
  /** Fills amount/decimals of transfers whose token metadata arrived later. Returns rows fixed. */
  rescaleTransfers(): Promise<number>;
  setWallets(wallets: { address: string; label?: string | null }[]): Promise<void>;
  recordRun(run: RunRecord): Promise<void>;
  /** One statement: a labelled Sql value (sql.ts), its parameters its own; the label names it in logs and metrics. */
  query<T = Record<string, unknown>>(q: Labelled): Promise<T[]>;
  /** Runs `fn` in one transaction; `q` queries inside it. */
  transaction<T>(fn: (q: Query) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Called after every labelled query (sql.ts `labelled`): its label, duration and outcome. */
  onQuery(listener: (label: string, ms: number, ok: boolean) => void): void;
};

/** A JSON column's value as read back: text from DuckDB, maybe already parsed from Snowflake's VARIANT. */
export const jsonValue = <T = Record<string, unknown>>(v: unknown): T | null =>
  v === null || v === undefined ? null : typeof v === "string" ? JSON.parse(v) : (v as T);
