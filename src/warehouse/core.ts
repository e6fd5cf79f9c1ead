// The engine-neutral warehouse: load orchestration, migrations, cursors, tokens, wallets, quarantine and the
// run log, written once over a small Driver per engine (run a statement, stage rows, run a MERGE, a
// transaction). Every SQL difference comes from the driver's Dialect; every DuckDB test runs this code too.
import { createHash } from "node:crypto";
import { safeJson } from "../internal/json.ts";
import { collapseBatch } from "../model/merge.ts";
import type { Endpoint, NormalizedBatch, ObservationRow, TokenRow } from "../model/rows.ts";
import { utcDay } from "../model/time.ts";
import { formatUnits } from "../model/amount.ts";
import { writeCoverage } from "./coverage.ts";
import { MIGRATIONS } from "./migrations.ts";
import { scrubUrls } from "../internal/scrub.ts";
import { OBSERVATION_STAGE, RESCALE_STAGE, type StageColumn, TRANSACTION_STAGE, TRANSFER_STAGE } from "./stage.ts";
import type { Sql } from "./sql.ts";
import {
  type BlockCursor,
  type BlockRange,
  type Coverage,
  type Cursor,
  type Dialect,
  emptyLoadCounts,
  type LoadCounts,
  type RunRecord,
  type Warehouse,
} from "./types.ts";
import {
  allActivityDaysSql,
  confirmedBlocksSql,
  droppedFromBlocksSql,
  mergeObservationsSql,
  mergeTransactionsSql,
  mergeTransfersSql,
  STAGE_OBSERVATIONS,
  STAGE_RESCALE,
  STAGE_TRANSACTIONS,
  STAGE_TRANSFERS,
  stageTablesSql,
  storedTimes,
  storedTimesSql,
  supersededCallTransfersSql,
  type TimeRange,
  widen,
} from "./upsert.ts";

export type Row = Record<string, unknown>;
/** Runs one statement with positional parameters; rows come back with lower-case keys, big integers as strings. */
export type Exec = (sql: string, params?: unknown[]) => Promise<Row[]>;

/** What a driver offers inside one transaction. */
export type Tx = {
  run: Exec;
  /** Writes rows into a temporary staging table in `cols` order (DuckDB's appender, Snowflake's array binds). */
  stage<R>(table: string, cols: readonly StageColumn<R>[], rows: readonly R[]): Promise<void>;
  /** Runs a MERGE into `table`; how many rows it inserted and how many it updated. */
  merge(table: string, sql: string): Promise<{ inserted: number; updated: number }>;
  /** Runs an UPDATE or DELETE; how many rows it changed. */
  changes(sql: string): Promise<number>;
};

/** The little an engine must do itself. */
export type Driver = {
  readonly dialect: Dialect;
  readonly description: string;
  /** One statement outside a transaction (retried on transient errors where the engine has them). */
  run: Exec;
  /** Runs `fn` in one transaction: committed when it returns, rolled back when it throws. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

const CURSOR_COLUMNS = [
  "wallet",
  "endpoint",
  "synced_to_ms",
  "walk_top_ms",
  "walk_low_ms",
  "walk_floor_ms",
  "newest_ms",
  "updated_at",
];
const TOKEN_COLUMNS = ["token_id", "asset_type", "symbol", "name", "decimals", "level", "updated_at"];
const QUARANTINE_COLUMNS = ["quarantine_id", "endpoint", "reason", "record", "observed_at", "run_id"];
const RUN_COLUMNS = ["run_id", "command", "started_at", "ended_at", "status", "error", "counts"];
const CHUNK = 500;

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const chunks = <T>(list: readonly T[], size = CHUNK): T[][] =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));
const lastByKey = <T>(list: readonly T[], key: (x: T) => string): T[] => [
  ...new Map(list.map((x) => [key(x), x])).values(),
];

/** Rows staged before the staging tables are made anew (see ensureStage). */
const RESTAGE_ROWS = 50_000;
const STAGE_TABLES = [STAGE_TRANSACTIONS, STAGE_TRANSFERS, STAGE_OBSERVATIONS, STAGE_RESCALE];
const BLOCK_CURSOR_COLUMNS = ["source", "number", "block_id", "timestamp_ms", "updated_at"];

function timeRange(rows: { timestampMs: number }[]): TimeRange {
  let minMs = Infinity;
  let maxMs = -Infinity;
  for (const r of rows) {
    if (r.timestampMs < minMs) minMs = r.timestampMs;
    if (r.timestampMs > maxMs) maxMs = r.timestampMs;
  }
  return { minMs, maxMs };
}

export type QueryListener = (label: string, ms: number, ok: boolean) => void;

/** Runs SQL text or an Sql value; a labelled query is timed for the listeners, and its errors say which it was. */
async function statement(run: Exec, q: string | Sql, params: unknown[], listeners: QueryListener[]): Promise<Row[]> {
  if (typeof q === "string") return run(q, params);
  const t0 = performance.now();
  const done = (ok: boolean) => {
    if (q.label) for (const l of listeners) l(q.label, performance.now() - t0, ok);
  };
  try {
    const rows = await run(q.text, [...q.params]);
    done(true);
    return rows;
  } catch (e) {
    done(false);
    if (q.label && e instanceof Error) e.message = `${q.label}: ${e.message}`;
    throw e;
  }
}

export function createWarehouse(driver: Driver): Warehouse {
  const d = driver.dialect;
  const toTs = { convert: { updated_at: d.msToTimestamp } };
  let queue: Promise<unknown> = Promise.resolve();
  /** All work on the one session runs in order (transactions must not interleave). */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn, fn);
    queue = p.catch(() => undefined);
    return p;
  };
  let staged = false;
  let stagedRows = 0;
  /**
   * The staging tables, created once per session and made anew after RESTAGE_ROWS staged rows: emptying a temporary
   * table with DELETE leaves old row versions in memory (60,000 staged transactions of ~1 KB: DuckDB's in-memory
   * tables held 153 MB, 92 MB when made anew).
   */
  const ensureStage = async () => {
    if (staged && stagedRows < RESTAGE_ROWS) return;
    if (staged) for (const t of STAGE_TABLES) await driver.run(`DROP TABLE IF EXISTS ${t}`);
    for (const s of stageTablesSql()) await driver.run(s);
    staged = true;
    stagedRows = 0;
  };
  const storedTokens = new Map<string, string>();
  const listeners: QueryListener[] = [];

  async function load(
    tx: Tx,
    batch: NormalizedBatch,
    cursors: Cursor[],
    runId: string,
    blocks: { blockCursor?: BlockCursor; blockRange?: BlockRange; confirmRange?: BlockRange; coverage?: Coverage },
  ): Promise<LoadCounts> {
    const { blockCursor, blockRange, confirmRange, coverage } = blocks;
    const counts = emptyLoadCounts();
    const rows = collapseBatch(batch);
    stagedRows += rows.transfers.length + rows.transactions.length + (batch.observations?.length ?? 0);
    for (const t of [STAGE_TRANSFERS, STAGE_TRANSACTIONS, STAGE_OBSERVATIONS]) await tx.run(`DELETE FROM ${t}`);
    if (rows.transfers.length) await tx.stage(STAGE_TRANSFERS, TRANSFER_STAGE, rows.transfers);
    if (rows.transactions.length) await tx.stage(STAGE_TRANSACTIONS, TRANSACTION_STAGE, rows.transactions);
    // rows that move to another time leave their old day: the rollups redo it too
    const movedDays: number[] = [];
    if (rows.transfers.length) {
      const stored = storedTimes(await tx.run(storedTimesSql("transfers")));
      movedDays.push(...stored.movedDays);
      const range = widen(timeRange(rows.transfers), stored);
      const c = await tx.merge("transfers", mergeTransfersSql(d, range));
      counts.transfersNew = c.inserted;
      counts.transfersUpdated = c.updated;
      await tx.run(supersededCallTransfersSql(range));
    }
    if (rows.transactions.length) {
      const stored = storedTimes(await tx.run(storedTimesSql("transactions")));
      movedDays.push(...stored.movedDays);
      const range = widen(timeRange(rows.transactions), stored);
      const c = await tx.merge("transactions", mergeTransactionsSql(d, range));
      counts.transactionsNew = c.inserted;
      counts.transactionsUpdated = c.updated;
    }
    if (batch.observations?.length) await mergeObservations(tx, batch.observations);
    if (blockRange) {
      for (const s of droppedFromBlocksSql(blockRange, d.now())) counts.dropped += await tx.changes(s);
      if (counts.dropped) movedDays.push(blockRange.fromMs, blockRange.toMs);
    }
    if (confirmRange) {
      for (const s of confirmedBlocksSql(confirmRange, d.now())) await tx.run(s);
      movedDays.push(confirmRange.fromMs, confirmRange.toMs);
    }
    await markDays(tx, [...rows.transfers, ...rows.transactions, ...movedDays.map((timestampMs) => ({ timestampMs }))]);
    if (batch.tokens.length) await upsertTokens(tx, batch.tokens);
    if (batch.quarantined.length) counts.quarantined = await insertQuarantine(tx, batch, runId);
    if (cursors.length) await upsertCursors(tx, cursors);
    if (blockCursor) {
      const c = blockCursor;
      const params = [c.source, c.number, c.blockId, c.timestampMs, Date.now()];
      await tx.run(d.upsertSql("block_cursors", BLOCK_CURSOR_COLUMNS, ["source"], 1, toTs), params);
    }
    if (coverage) await writeCoverage(tx.run, d, coverage);
    return counts;
  }

  async function mergeObservations(tx: Tx, list: ObservationRow[]) {
    const unique = lastByKey(list, (o) => `${o.wallet}|${o.endpoint}|${o.unitId}`);
    await tx.stage(STAGE_OBSERVATIONS, OBSERVATION_STAGE, unique);
    for (const sql of mergeObservationsSql()) await tx.run(sql);
  }

  /** Days this batch touches, for the rules' rollup (same transaction as the rows). */
  async function markDays(tx: Tx, rows: { timestampMs: number }[]) {
    const days = [...new Set(rows.map((r) => utcDay(r.timestampMs)))];
    for (const c of chunks(days)) await tx.run(d.upsertSql("activity_days", ["day_ms"], ["day_ms"], c.length), c);
  }

  /** Tokens as last seen; a field the new observation lacks keeps its stored value. Unchanged ones are skipped. */
  async function upsertTokens(tx: Tx, tokens: TokenRow[]) {
    const changed = lastByKey(tokens, (t) => t.tokenId).filter(
      (t) => storedTokens.get(t.tokenId) !== JSON.stringify(t),
    );
    const now = Date.now();
    const opts = { ...toTs, keepWhenNull: ["symbol", "name", "decimals", "level"] };
    for (const c of chunks(changed)) {
      const params = c.flatMap((t) => [t.tokenId, t.assetType, t.symbol, t.name, t.decimals, t.level, now]);
      await tx.run(d.upsertSql("tokens", TOKEN_COLUMNS, ["token_id"], c.length, opts), params);
    }
    for (const t of changed) storedTokens.set(t.tokenId, JSON.stringify(t));
  }

  async function insertQuarantine(tx: Tx, batch: NormalizedBatch, runId: string): Promise<number> {
    const rows = batch.quarantined.map((q) => {
      const record = safeJson(q.record);
      const id = createHash("sha256").update(`${q.endpoint}|${record}`).digest("hex").slice(0, 40);
      return [id, q.endpoint, q.reason, record, q.observedAtMs, runId];
    });
    const opts = { convert: { record: d.toJson, observed_at: d.msToTimestamp } };
    for (const c of chunks(lastByKey(rows, (r) => String(r[0]))))
      await tx.run(d.insertMissingSql("quarantine", QUARANTINE_COLUMNS, ["quarantine_id"], c.length, opts), c.flat());
    return rows.length;
  }

  async function upsertCursors(tx: Tx, cursors: Cursor[]) {
    const list = lastByKey(cursors, (c) => `${c.wallet}|${c.endpoint}`);
    const now = Date.now();
    const params = list.flatMap((c) => [
      c.wallet,
      c.endpoint,
      c.syncedToMs,
      c.walkTopMs,
      c.walkLowMs,
      c.walkFloorMs,
      c.newestMs,
      now,
    ]);
    await tx.run(d.upsertSql("sync_cursors", CURSOR_COLUMNS, ["wallet", "endpoint"], list.length, toTs), params);
  }

  async function migrate() {
    const t = d.columnType;
    await driver.run(
      `CREATE TABLE IF NOT EXISTS schema_migrations (version ${t("int")} PRIMARY KEY, name ${t("text")}, applied_at
        ${t("timestamp")})`,
    );
    const done = new Set((await driver.run("SELECT version FROM schema_migrations")).map((r) => Number(r.version)));
    const record = `INSERT INTO schema_migrations (version, name, applied_at) SELECT ?, ?, ${d.now()}`;
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      if (d.transactionalDdl) {
        await driver.transaction(async (tx) => {
          for (const s of m.statements(d)) await tx.run(s);
          await tx.run(record, [m.version, m.name]);
        });
      } else {
        // DDL commits implicitly: each statement is idempotent (IF NOT EXISTS / OR REPLACE) instead
        for (const s of m.statements(d)) await driver.run(s);
        await driver.run(record, [m.version, m.name]);
      }
    }
  }

  async function rescaleTransfers(): Promise<number> {
    const rows = await driver.run(
      `SELECT t.transfer_id, t.amount_raw, k.decimals, k.symbol, k.name FROM transfers t
        JOIN tokens k ON k.token_id = t.token_id
       WHERE t.token_decimals IS NULL AND k.decimals IS NOT NULL`,
    );
    if (!rows.length) return 0;
    await ensureStage();
    const staged = rows.map((r) => ({
      transferId: String(r.transfer_id),
      decimals: Number(r.decimals),
      amount: formatUnits(BigInt(String(r.amount_raw)), Number(r.decimals)),
      symbol: (r.symbol ?? null) as string | null,
      name: (r.name ?? null) as string | null,
    }));
    await driver.transaction(async (tx) => {
      await tx.run(`DELETE FROM ${STAGE_RESCALE}`);
      await tx.stage(STAGE_RESCALE, RESCALE_STAGE, staged);
      await tx.run(`UPDATE transfers SET token_decimals = s.decimals, amount = s.amount,
          token_symbol = COALESCE(transfers.token_symbol, s.symbol), token_name = COALESCE(transfers.token_name, s.name)
        FROM ${STAGE_RESCALE} s WHERE transfers.transfer_id = s.transfer_id`);
    });
    return rows.length;
  }

  async function setWallets(tx: Tx, wallets: { address: string; label?: string | null }[]) {
    const list = async () =>
      (await tx.run("SELECT address FROM wallets ORDER BY address")).map((r) => String(r.address)).join(",");
    const before = await list();
    const unique = lastByKey(wallets, (w) => w.address);
    const opts = { update: ["label"], convert: { added_at: d.msToTimestamp } };
    const now = Date.now();
    for (const c of chunks(unique)) {
      const params = c.flatMap((w) => [w.address, w.label ?? null, now]);
      await tx.run(d.upsertSql("wallets", ["address", "label", "added_at"], ["address"], c.length, opts), params);
    }
    if (unique.length) {
      const marks = unique.map(() => "?").join(", ");
      await tx.run(
        `DELETE FROM wallets WHERE address NOT IN (${marks})`,
        unique.map((w) => w.address),
      );
    } else await tx.run("DELETE FROM wallets");
    // another set of wallets: the rollup is rebuilt for every day holding activity
    if (before !== (await list()))
      await tx.run(d.insertSelectMissingSql("activity_days", ["day_ms"], allActivityDaysSql()));
  }

  async function oldestPendingMs(wallet: string, sinceMs: number): Promise<number | null> {
    const side = (a: string, b: string) => `WHERE NOT confirmed AND timestamp_ms >= ? AND (${a} = ? OR ${b} = ?)`;
    const [r] = await driver.run(
      `SELECT min(timestamp_ms) AS ms FROM transfers ${side("from_address", "to_address")}`,
      [sinceMs, wallet, wallet],
    );
    const [x] = await driver.run(
      `SELECT min(timestamp_ms) AS ms FROM transactions ${side("owner_address", "to_address")}`,
      [sinceMs, wallet, wallet],
    );
    const vals = [num(r?.ms), num(x?.ms)].filter((v): v is number => v !== null);
    return vals.length ? Math.min(...vals) : null;
  }

  async function getCursor(wallet: string, endpoint: Endpoint): Promise<Cursor | null> {
    const [r] = await driver.run(
      `SELECT synced_to_ms, walk_top_ms, walk_low_ms, walk_floor_ms, newest_ms FROM sync_cursors
        WHERE wallet = ? AND endpoint = ?`,
      [wallet, endpoint],
    );
    if (!r) return null;
    return {
      wallet,
      endpoint,
      syncedToMs: num(r.synced_to_ms),
      walkTopMs: num(r.walk_top_ms),
      walkLowMs: num(r.walk_low_ms),
      walkFloorMs: num(r.walk_floor_ms),
      newestMs: num(r.newest_ms),
    };
  }

  async function tokens(): Promise<TokenRow[]> {
    const rows = await driver.run("SELECT token_id, asset_type, symbol, name, decimals, level FROM tokens");
    const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
    return rows.map((r) => ({
      tokenId: String(r.token_id),
      assetType: r.asset_type as TokenRow["assetType"],
      symbol: text(r.symbol),
      name: text(r.name),
      decimals: num(r.decimals),
      level: text(r.level),
    }));
  }

  async function recordRun(run: RunRecord) {
    const opts = { convert: { started_at: d.msToTimestamp, ended_at: d.msToTimestamp, counts: d.toJson } };
    await driver.run(d.upsertSql("runs", RUN_COLUMNS, ["run_id"], 1, opts), [
      run.runId,
      run.command,
      run.startedAtMs,
      run.endedAtMs ?? null,
      run.status,
      run.error == null ? null : scrubUrls(run.error), // a base URL's credentials or key never stored
      JSON.stringify(run.counts ?? {}),
    ]);
  }

  return {
    dialect: d,
    description: driver.description,
    migrate: () => serial(migrate),
    load: ({ batch, cursors = [], blockCursor, blockRange, confirmRange, coverage, runId }) =>
      serial(async () => {
        await ensureStage();
        try {
          return await driver.transaction((tx) =>
            load(tx, batch, cursors, runId, { blockCursor, blockRange, confirmRange, coverage }),
          );
        } catch (e) {
          storedTokens.clear(); // a rolled-back load may have held the only write of a token
          throw e;
        }
      }),
    getCursor: (wallet, endpoint) => serial(() => getCursor(wallet, endpoint)),
    getBlockCursor: (source) =>
      serial(async () => {
        const [r] = await driver.run("SELECT number, block_id, timestamp_ms FROM block_cursors WHERE source = ?", [
          source,
        ]);
        return r
          ? { source, number: Number(r.number), blockId: String(r.block_id), timestampMs: Number(r.timestamp_ms) }
          : null;
      }),
    oldestPendingMs: (wallet, sinceMs) => serial(() => oldestPendingMs(wallet, sinceMs)),
    tokens: () => serial(tokens),
    rescaleTransfers: () => serial(rescaleTransfers),
    setWallets: (wallets) => serial(() => driver.transaction((tx) => setWallets(tx, wallets))),
    recordRun: (run) => serial(() => recordRun(run)),
    query: <T>(q: string | Sql, params: unknown[] = []) =>
      serial(async () => (await statement(driver.run, q, params, listeners)) as T[]),
    transaction: (fn) =>
      serial(() =>
        driver.transaction((tx) => fn((q, params = []) => statement(tx.run, q, params, listeners) as never)),
      ),
    close: () => serial(() => driver.close()),
    onQuery: (listener) => void listeners.push(listener),
  };
}
