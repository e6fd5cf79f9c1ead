// DuckDB warehouse: embedded, one writer process per file. Bulk loads go through the Appender into temp
// staging tables, then one set-based upsert per table, inside one transaction with the cursors.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createHash } from "node:crypto";
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from "@duckdb/node-api";
import { duckdbDialect } from "./dialect.ts";
import { MIGRATIONS } from "../schema.ts";
import {
  allActivityDaysSql,
  mergeObservationsSql,
  mergeTransactionsSql,
  storedRangeSql,
  widen,
  type TimeRange,
  mergeTransfersSql,
  movedDaysSql,
  STAGE_OBSERVATIONS,
  STAGE_TRANSACTIONS,
  STAGE_TRANSFERS,
  stageTablesSql,
  supersededCallTransfersSql,
} from "../upsert.ts";
import { safeJson } from "../../model/json.ts";
import { OBSERVATION_STAGE, type StageColumn, TRANSACTION_STAGE, TRANSFER_STAGE } from "../stage.ts";
import { formatUnits } from "../../normalize/amount.ts";
import { collapseBatch } from "../../model/merge.ts";
import { utcDay } from "../../model/time.ts";
import { WarehouseError, WarehouseLockedError } from "../../internal/errors.ts";
import type { Cursor, LoadCounts, RunRecord, Warehouse } from "../types.ts";
import type { NormalizedBatch, ObservationRow, TokenRow } from "../../model/rows.ts";

const d = duckdbDialect;

export async function createDuckDbWarehouse(args: {
  path: string;
  readOnly?: boolean;
  memoryLimit?: string;
}): Promise<Warehouse> {
  const path = args.path === ":memory:" ? ":memory:" : resolve(args.path);
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  let instance: DuckDBInstance;
  try {
    instance =
      path === ":memory:"
        ? await DuckDBInstance.create(":memory:")
        : await DuckDBInstance.fromCache(path, args.readOnly ? { access_mode: "READ_ONLY" } : {});
  } catch (e) {
    const msg = (e as Error).message;
    if (/lock/i.test(msg)) {
      const holder = /held in (.+?)(?:\.|$|\n)/.exec(msg)?.[1] ?? "another process";
      throw new WarehouseLockedError(
        `The database ${path} is in use by ${holder}. Stop that process (a running 'tronmon watch', 'run', 'import' or 'dashboard') or use another --db.`,
        { cause: e },
      );
    }
    throw new WarehouseError(`Could not open DuckDB database ${path}: ${msg}`, { cause: e });
  }
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'").catch(() => undefined);
  // Fewer, larger checkpoints during bulk loads (the WAL still makes every commit durable).
  if (!args.readOnly) await conn.run("SET checkpoint_threshold = '256MB'").catch(() => undefined);
  if (args.memoryLimit) await conn.run(`SET memory_limit = '${args.memoryLimit.replace(/[^0-9A-Za-z.]/g, "")}'`);
  let staged = false;
  let queue: Promise<unknown> = Promise.resolve();
  /** Serialise all work on the one connection (transactions must not interleave). */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn, fn);
    queue = p.catch(() => undefined);
    return p;
  };

  const all = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const reader = await conn.runAndReadAll(sql, params as never);
    return reader.getRowObjectsJson() as T[];
  };

  async function ensureStage(c: DuckDBConnection) {
    if (staged) return;
    for (const s of stageTablesSql()) await c.run(s);
    staged = true;
  }

  async function inTransaction<T>(fn: () => Promise<T>): Promise<T> {
    await conn.run("BEGIN TRANSACTION");
    try {
      const out = await fn();
      await conn.run("COMMIT");
      return out;
    } catch (e) {
      await conn.run("ROLLBACK").catch(() => undefined);
      throw e;
    }
  }

  const warehouse: Warehouse = {
    dialect: d,
    description: `duckdb:${path}`,

    migrate: () =>
      serial(async () => {
        await conn.run(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)",
        );
        const done = new Set(
          (await all<{ version: number }>("SELECT version FROM schema_migrations")).map((r) => Number(r.version)),
        );
        for (const m of MIGRATIONS) {
          if (done.has(m.version)) continue;
          await inTransaction(async () => {
            for (const s of m.statements(d)) await conn.run(s);
            await conn.run(`INSERT INTO schema_migrations VALUES (?, ?, ${d.now()})`, [m.version, m.name]);
          });
        }
      }),

    load: ({ batch, cursors = [], runId }) =>
      serial(async () => {
        await ensureStage(conn);
        return inTransaction(async () => {
          await conn.run(`DELETE FROM ${STAGE_TRANSACTIONS}`);
          await conn.run(`DELETE FROM ${STAGE_TRANSFERS}`);
          const counts: LoadCounts = {
            transactionsNew: 0,
            transactionsUpdated: 0,
            transfersNew: 0,
            transfersUpdated: 0,
            quarantined: 0,
          };
          const rows = collapseBatch(batch);
          if (rows.transfers.length) await appendStage(conn, STAGE_TRANSFERS, TRANSFER_STAGE, rows.transfers);
          if (rows.transactions.length)
            await appendStage(conn, STAGE_TRANSACTIONS, TRANSACTION_STAGE, rows.transactions);
          // rows that move to another time leave their old day: the rollup redoes it too
          if (rows.transfers.length || rows.transactions.length) {
            await conn.run(`INSERT INTO activity_days ${movedDaysSql()} ON CONFLICT DO NOTHING`);
          }
          if (rows.transfers.length) {
            const [stored] = await all<{ lo: unknown; hi: unknown }>(storedRangeSql("transfers"));
            const c = await mergeCounts("transfers", mergeTransfersSql(d, widen(timeRange(rows.transfers), stored)));
            counts.transfersNew = c.inserted;
            counts.transfersUpdated = c.updated;
            await conn.run(supersededCallTransfersSql());
          }
          if (rows.transactions.length) {
            const [stored] = await all<{ lo: unknown; hi: unknown }>(storedRangeSql("transactions"));
            const c = await mergeCounts(
              "transactions",
              mergeTransactionsSql(d, widen(timeRange(rows.transactions), stored)),
            );
            counts.transactionsNew = c.inserted;
            counts.transactionsUpdated = c.updated;
          }
          if (batch.observations?.length) await mergeObservations(batch.observations);
          await markDays(rows.transfers, rows.transactions);
          if (batch.tokens.length) await upsertTokens(batch.tokens);
          if (batch.quarantined.length) counts.quarantined = await insertQuarantine(batch, runId);
          for (const c of cursors) await upsertCursor(c);
          return counts;
        });
      }),

    getCursor: (wallet, endpoint) =>
      serial(async () => {
        const rows = await all<Record<string, string | null>>(
          "SELECT * FROM sync_cursors WHERE wallet = ? AND endpoint = ?",
          [wallet, endpoint],
        );
        if (!rows.length) return null;
        const r = rows[0];
        const n = (v: string | null) => (v === null ? null : Number(v));
        return {
          wallet,
          endpoint,
          syncedToMs: n(r.synced_to_ms),
          walkTopMs: n(r.walk_top_ms),
          walkLowMs: n(r.walk_low_ms),
          walkFloorMs: n(r.walk_floor_ms),
          newestMs: n(r.newest_ms),
        };
      }),

    oldestPendingMs: (wallet, sinceMs) =>
      serial(async () => {
        const [r] = await all<{ ms: string | null }>(
          `SELECT min(timestamp_ms) AS ms FROM transfers WHERE NOT confirmed AND timestamp_ms >= ? AND (from_address = ? OR to_address = ?)`,
          [sinceMs, wallet, wallet],
        );
        const [x] = await all<{ ms: string | null }>(
          `SELECT min(timestamp_ms) AS ms FROM transactions WHERE NOT confirmed AND timestamp_ms >= ? AND (owner_address = ? OR to_address = ?)`,
          [sinceMs, wallet, wallet],
        );
        const vals = [r.ms, x.ms].filter((v): v is string => v !== null).map(Number);
        return vals.length ? Math.min(...vals) : null;
      }),

    tokens: () =>
      serial(async () => {
        const rows = await all<Record<string, string | null>>("SELECT * FROM tokens");
        return rows.map((r) => ({
          tokenId: r.token_id!,
          assetType: r.asset_type as TokenRow["assetType"],
          symbol: r.symbol,
          name: r.name,
          decimals: r.decimals === null ? null : Number(r.decimals),
          level: r.level,
        }));
      }),

    rescaleTransfers: () =>
      serial(async () => {
        const rows = await all<{
          transfer_id: string;
          amount_raw: string;
          decimals: number;
          symbol: string | null;
          name: string | null;
        }>(
          `SELECT t.transfer_id, t.amount_raw, k.decimals, k.symbol, k.name FROM transfers t JOIN tokens k ON k.token_id = t.token_id
         WHERE t.token_decimals IS NULL AND k.decimals IS NOT NULL`,
        );
        if (!rows.length) return 0;
        await inTransaction(async () => {
          await conn.run(
            "CREATE TEMP TABLE IF NOT EXISTS stage_rescale (transfer_id VARCHAR, decimals INTEGER, amount VARCHAR, symbol VARCHAR, name VARCHAR)",
          );
          await conn.run("DELETE FROM stage_rescale");
          const ap = await conn.createAppender("stage_rescale", "main", "temp");
          for (const r of rows) {
            ap.appendVarchar(r.transfer_id);
            ap.appendInteger(Number(r.decimals));
            ap.appendVarchar(formatUnits(BigInt(r.amount_raw), Number(r.decimals)));
            appendText(ap, r.symbol);
            appendText(ap, r.name);
            ap.endRow();
          }
          ap.flushSync();
          ap.closeSync();
          await conn.run(`UPDATE transfers SET token_decimals = s.decimals, amount = s.amount,
          token_symbol = COALESCE(transfers.token_symbol, s.symbol), token_name = COALESCE(transfers.token_name, s.name)
          FROM stage_rescale s WHERE transfers.transfer_id = s.transfer_id`);
        });
        return rows.length;
      }),

    syncWallets: (wallets) =>
      serial(() =>
        inTransaction(async () => {
          const before = (await all<{ address: string }>("SELECT address FROM wallets ORDER BY address"))
            .map((r) => r.address)
            .join(",");
          for (const w of wallets) {
            await conn.run(
              `INSERT INTO wallets VALUES (?, ?, ${d.now()}) ON CONFLICT (address) DO UPDATE SET label = excluded.label`,
              [w.address, w.label ?? null],
            );
          }
          if (wallets.length) {
            await conn.run(
              `DELETE FROM wallets WHERE address NOT IN (${wallets.map(() => "?").join(",")})`,
              wallets.map((w) => w.address),
            );
          } else {
            await conn.run("DELETE FROM wallets");
          }
          const after = (await all<{ address: string }>("SELECT address FROM wallets ORDER BY address"))
            .map((r) => r.address)
            .join(",");
          if (before !== after) {
            // another set of wallets: the rollup is rebuilt for every day holding activity
            await conn.run(`INSERT INTO activity_days ${allActivityDaysSql()} ON CONFLICT DO NOTHING`);
          }
        }),
      ),

    recordRun: (run: RunRecord) =>
      serial(async () => {
        await conn.run(
          `INSERT INTO runs VALUES (?, ?, ${d.msToTimestamp("?")}, ${run.endedAtMs ? d.msToTimestamp("?") : "NULL"}, ?, ?, ?)
         ON CONFLICT (run_id) DO UPDATE SET ended_at = excluded.ended_at, status = excluded.status, error = excluded.error, counts = excluded.counts`,
          [
            run.runId,
            run.command,
            run.startedAtMs,
            ...(run.endedAtMs ? [run.endedAtMs] : []),
            run.status,
            run.error ?? null,
            JSON.stringify(run.counts ?? {}),
          ] as never,
        );
      }),

    query: (sql, params = []) => serial(() => all(sql, params)),

    transaction: (fn) => serial(() => inTransaction(() => fn(all))),

    close: () =>
      serial(async () => {
        conn.closeSync();
        instance.closeSync(); // releases the file (and its lock) once no other handle in this process uses it
      }),
  };

  /** Runs a MERGE; what it inserted is the growth of the table, the rest of the rows it touched it changed. */
  async function mergeCounts(table: string, sql: string): Promise<{ inserted: number; updated: number }> {
    const size = async () => Number((await conn.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRows()[0][0]);
    const before = await size();
    const result = await conn.run(sql);
    const inserted = (await size()) - before;
    return { inserted, updated: Number(result.rowsChanged) - inserted };
  }

  /** Days this batch touches, for the rules' rollup (same transaction as the rows). */
  async function markDays(...lists: { timestampMs: number }[][]) {
    const days = new Set<number>();
    for (const list of lists) for (const r of list) days.add(utcDay(r.timestampMs));
    if (!days.size) return;
    await conn.run(
      `INSERT INTO activity_days VALUES ${[...days].map(() => "(CAST(? AS BIGINT))").join(", ")} ON CONFLICT DO NOTHING`,
      [...days] as never,
    );
  }

  const storedTokens = new Map<string, string>();
  async function upsertTokens(tokens: TokenRow[]) {
    const unique = [...new Map(tokens.map((t) => [t.tokenId, t])).values()].filter(
      (t) => storedTokens.get(t.tokenId) !== JSON.stringify(t),
    );
    if (!unique.length) return;
    for (const t of unique) storedTokens.set(t.tokenId, JSON.stringify(t));
    const params = unique.flatMap((t) => [t.tokenId, t.assetType, t.symbol, t.name, t.decimals, t.level]);
    await conn.run(
      `INSERT INTO tokens SELECT *, ${d.now()} FROM (VALUES ${unique.map(() => "(?, ?, ?, ?, CAST(? AS INTEGER), ?)").join(", ")})
       ON CONFLICT (token_id) DO UPDATE SET asset_type = excluded.asset_type, symbol = excluded.symbol, name = excluded.name,
         decimals = COALESCE(excluded.decimals, tokens.decimals), level = COALESCE(excluded.level, tokens.level), updated_at = excluded.updated_at`,
      params as never,
    );
  }

  async function insertQuarantine(batch: NormalizedBatch, runId: string): Promise<number> {
    const rows = batch.quarantined.map((q) => {
      const record = safeJson(q.record);
      const id = createHash("sha256").update(`${q.endpoint}|${record}`).digest("hex").slice(0, 40);
      return [id, q.endpoint, q.reason, record, q.observedAtMs, runId];
    });
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      await conn.run(
        `INSERT INTO quarantine SELECT c0, c1, c2, c3, ${d.msToTimestamp("c4")}, c5 FROM (VALUES ${chunk.map(() => "(?, ?, ?, ?, CAST(? AS BIGINT), ?)").join(", ")}) v(c0, c1, c2, c3, c4, c5)
         ON CONFLICT (quarantine_id) DO NOTHING`,
        chunk.flat() as never,
      );
    }
    return rows.length;
  }

  async function mergeObservations(list: ObservationRow[]) {
    const unique = [...new Map(list.map((o) => [`${o.wallet}|${o.endpoint}|${o.unitId}`, o])).values()];
    await conn.run(`DELETE FROM ${STAGE_OBSERVATIONS}`);
    await appendStage(conn, STAGE_OBSERVATIONS, OBSERVATION_STAGE, unique);
    for (const sql of mergeObservationsSql()) await conn.run(sql);
  }

  async function upsertCursor(c: Cursor) {
    await conn.run(
      `INSERT INTO sync_cursors VALUES (?, ?, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), ${d.now()})
       ON CONFLICT (wallet, endpoint) DO UPDATE SET synced_to_ms = excluded.synced_to_ms, walk_top_ms = excluded.walk_top_ms,
         walk_low_ms = excluded.walk_low_ms, walk_floor_ms = excluded.walk_floor_ms, newest_ms = excluded.newest_ms,
         updated_at = excluded.updated_at`,
      [c.wallet, c.endpoint, c.syncedToMs, c.walkTopMs, c.walkLowMs, c.walkFloorMs, c.newestMs] as never,
    );
  }

  return warehouse;
}

function timeRange(rows: { timestampMs: number }[]): TimeRange {
  let minMs = Infinity;
  let maxMs = -Infinity;
  for (const r of rows) {
    if (r.timestampMs < minMs) minMs = r.timestampMs;
    if (r.timestampMs > maxMs) maxMs = r.timestampMs;
  }
  return { minMs, maxMs };
}

function appendText(ap: DuckDBAppender, v: string | null) {
  if (v === null) ap.appendNull();
  else ap.appendVarchar(v);
}

/** Appends rows to a staging table in its stage column order (see ../stage.ts). */
async function appendStage<R>(
  conn: DuckDBConnection,
  table: string,
  cols: readonly StageColumn<R>[],
  rows: readonly R[],
) {
  const ap = await conn.createAppender(table, "main", "temp");
  for (const r of rows) {
    for (const [, type, value] of cols) {
      const v = value(r);
      if (v === null) ap.appendNull();
      else if (type === "text") ap.appendVarchar(String(v));
      else if (type === "bigint") ap.appendBigInt(BigInt(v as number));
      else if (type === "int") ap.appendInteger(v as number);
      else ap.appendBoolean(v as boolean);
    }
    ap.endRow();
  }
  ap.flushSync();
  ap.closeSync();
}
