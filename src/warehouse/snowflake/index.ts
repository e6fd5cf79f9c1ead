// The Snowflake warehouse: the same interface, migrations and MERGE builders as DuckDB through the
// Snowflake dialect. Loading binds arrays of rows into temporary staging tables in large batches (never a
// statement per row), then runs one MERGE per table and moves the cursors, all in one transaction; a load
// that fails on a transient error is retried whole (it is idempotent). Every session is tagged (QUERY_TAG).
import { createHash } from "node:crypto";
import { MIGRATIONS } from "../schema.ts";
import {
  allActivityDaysSql,
  mergeObservationsSql,
  mergeTransactionsSql,
  mergeTransfersSql,
  movedDaysSql,
  stageTablesSql,
  STAGE_OBSERVATIONS,
  STAGE_TRANSACTIONS,
  STAGE_TRANSFERS,
  storedRangeSql,
  supersededCallTransfersSql,
  type TimeRange,
  widen,
} from "../upsert.ts";
import { safeJson } from "../../model/json.ts";
import { OBSERVATION_STAGE, stageColumnNames, stageValues, TRANSACTION_STAGE, TRANSFER_STAGE } from "../stage.ts";
import { collapseBatch } from "../../model/merge.ts";
import { formatUnits } from "../../normalize/amount.ts";
import { DAY_MS } from "../../model/time.ts";
import { snowflakeDialect as d } from "./dialect.ts";
import { executor, isTransient, type Exec, type SfConnection, type SfError } from "./driver.ts";
import type { Cursor, LoadCounts, RunRecord, Warehouse } from "../types.ts";
import type { TokenRow } from "../../model/rows.ts";

export type SnowflakeOptions = {
  connection: SfConnection;
  batchRows?: number;
  queryTag?: string;
  retries?: number;
  sleep?: (ms: number) => Promise<void>;
};

const nowIso = () => new Date().toISOString();

export async function createSnowflakeWarehouse(o: SnowflakeOptions): Promise<Warehouse> {
  const batchRows = o.batchRows ?? 10_000;
  // rows come back with lower-case keys and integers as strings, like DuckDB's, in one place
  const lowered =
    (exec: Exec): Exec =>
    async (sql, binds) =>
      (await exec(sql, binds)).map(lowerKeys);
  const run = lowered(executor(o.connection, { retries: o.retries ?? 4, sleep: o.sleep })); // single statements outside transactions
  const inTx = lowered(executor(o.connection, { retries: 0 })); // inside a transaction the whole unit is retried instead
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn, fn);
    queue = p.catch(() => undefined);
    return p;
  };
  let staged = false;
  await run(`ALTER SESSION SET QUERY_TAG = '${(o.queryTag ?? "tronmon").replace(/'/g, "")}', TIMEZONE = 'UTC'`);

  /** One transaction; retried whole (after a rollback) when it failed on a transient error. */
  async function transaction<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await inTx("BEGIN");
      try {
        const out = await fn();
        await inTx("COMMIT");
        return out;
      } catch (e) {
        await inTx("ROLLBACK").catch(() => undefined);
        if (attempt >= (o.retries ?? 4) || !isTransient(e as SfError)) throw e;
        await (o.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms))))(
          Math.min(30_000, 500 * 2 ** attempt),
        );
      }
    }
  }

  /** Array binding: one INSERT per `batchRows` rows. */
  async function bulkInsert(table: string, cols: string[], rows: unknown[][]) {
    for (let i = 0; i < rows.length; i += batchRows) {
      await inTx(
        `INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`,
        rows.slice(i, i + batchRows),
      );
    }
  }

  async function merge(sql: string): Promise<{ inserted: number; updated: number }> {
    const [r] = await inTx(sql);
    return {
      inserted: Number(r?.["number of rows inserted"] ?? 0),
      updated: Number(r?.["number of rows updated"] ?? 0),
    };
  }

  const range = (rows: { timestampMs: number }[]): TimeRange => ({
    minMs: rows.reduce((m, r) => Math.min(m, r.timestampMs), Infinity),
    maxMs: rows.reduce((m, r) => Math.max(m, r.timestampMs), -Infinity),
  });

  const w: Warehouse = {
    dialect: d,
    description: "snowflake",

    migrate: () =>
      serial(async () => {
        await run(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version NUMBER(10,0) PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP_TZ)",
        );
        const done = new Set((await run("SELECT version FROM schema_migrations")).map((r) => Number(r.version)));
        for (const m of MIGRATIONS) {
          if (done.has(m.version)) continue;
          // DDL commits implicitly in Snowflake: each statement is idempotent (IF NOT EXISTS / OR REPLACE) instead
          for (const s of m.statements(d)) await run(s);
          await run(`INSERT INTO schema_migrations (version, name, applied_at) SELECT ?, ?, ${d.now()}`, [
            m.version,
            m.name,
          ]);
        }
      }),

    load: ({ batch, cursors = [], runId }) =>
      serial(async () => {
        if (!staged) {
          for (const s of stageTablesSql()) await run(s);
          staged = true;
        }
        const rows = collapseBatch(batch);
        return transaction(async () => {
          const counts: LoadCounts = {
            transactionsNew: 0,
            transactionsUpdated: 0,
            transfersNew: 0,
            transfersUpdated: 0,
            quarantined: 0,
          };
          await inTx(`DELETE FROM ${STAGE_TRANSFERS}`);
          await inTx(`DELETE FROM ${STAGE_TRANSACTIONS}`);
          await inTx(`DELETE FROM ${STAGE_OBSERVATIONS}`);
          if (rows.transfers.length)
            await bulkInsert(
              STAGE_TRANSFERS,
              stageColumnNames(TRANSFER_STAGE),
              rows.transfers.map((t) => stageValues(TRANSFER_STAGE, t)),
            );
          if (rows.transactions.length)
            await bulkInsert(
              STAGE_TRANSACTIONS,
              stageColumnNames(TRANSACTION_STAGE),
              rows.transactions.map((t) => stageValues(TRANSACTION_STAGE, t)),
            );
          if (rows.transfers.length || rows.transactions.length) {
            await inTx(`MERGE INTO activity_days t USING (${movedDaysSql()}) s ON t.day_ms = s.day_ms
            WHEN NOT MATCHED THEN INSERT (day_ms) VALUES (s.day_ms)`);
          }
          if (rows.transfers.length) {
            const [stored] = await inTx(storedRangeSql("transfers"));
            const c = await merge(
              mergeTransfersSql(d, widen(range(rows.transfers), stored as { lo: unknown; hi: unknown })),
            );
            counts.transfersNew = c.inserted;
            counts.transfersUpdated = c.updated;
            await inTx(supersededCallTransfersSql());
          }
          if (rows.transactions.length) {
            const [stored] = await inTx(storedRangeSql("transactions"));
            const c = await merge(
              mergeTransactionsSql(d, widen(range(rows.transactions), stored as { lo: unknown; hi: unknown })),
            );
            counts.transactionsNew = c.inserted;
            counts.transactionsUpdated = c.updated;
          }
          if (batch.observations?.length) {
            const unique = [
              ...new Map(batch.observations.map((o) => [`${o.wallet}|${o.endpoint}|${o.unitId}`, o])).values(),
            ];
            await bulkInsert(
              STAGE_OBSERVATIONS,
              stageColumnNames(OBSERVATION_STAGE),
              unique.map((o) => stageValues(OBSERVATION_STAGE, o)),
            );
            for (const sql of mergeObservationsSql()) await inTx(sql);
          }
          const days = [
            ...new Set(
              [...rows.transfers, ...rows.transactions].map((r) => Math.floor(r.timestampMs / DAY_MS) * DAY_MS),
            ),
          ];
          if (days.length) await inTx(d.upsertSql("activity_days", ["day_ms"], ["day_ms"], days.length), days);
          if (batch.tokens.length) {
            const unique = [...new Map(batch.tokens.map((t) => [t.tokenId, t])).values()];
            await inTx(
              `MERGE INTO tokens t USING (SELECT * FROM VALUES ${unique.map(() => "(?, ?, ?, ?, ?, ?)").join(", ")} AS v (token_id, asset_type, symbol, name, decimals, level)) s
            ON t.token_id = s.token_id
            WHEN MATCHED THEN UPDATE SET asset_type = s.asset_type, symbol = COALESCE(s.symbol, t.symbol), name = COALESCE(s.name, t.name),
              decimals = COALESCE(s.decimals, t.decimals), level = COALESCE(s.level, t.level), updated_at = ${d.now()}
            WHEN NOT MATCHED THEN INSERT (token_id, asset_type, symbol, name, decimals, level, updated_at) VALUES (s.token_id, s.asset_type, s.symbol, s.name, s.decimals, s.level, ${d.now()})`,
              unique.flatMap((t) => [t.tokenId, t.assetType, t.symbol, t.name, t.decimals, t.level]),
            );
          }
          if (batch.quarantined.length) {
            const q = batch.quarantined.map((x) => {
              const record = safeJson(x.record);
              return [
                createHash("sha256").update(`${x.endpoint}|${record}`).digest("hex").slice(0, 40),
                x.endpoint,
                x.reason,
                record,
                x.observedAtMs,
                runId,
              ];
            });
            await inTx(
              `MERGE INTO quarantine t USING (SELECT * FROM VALUES ${q.map(() => "(?, ?, ?, ?, ?, ?)").join(", ")} AS v (id, endpoint, reason, record, ms, run_id)) s
            ON t.quarantine_id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.endpoint, s.reason, PARSE_JSON(s.record), ${d.msToTimestamp("s.ms")}, s.run_id)`,
              q.flat(),
            );
            counts.quarantined = q.length;
          }
          if (cursors.length) {
            await inTx(
              d.upsertSql(
                "sync_cursors",
                [
                  "wallet",
                  "endpoint",
                  "synced_to_ms",
                  "walk_top_ms",
                  "walk_low_ms",
                  "walk_floor_ms",
                  "newest_ms",
                  "updated_at",
                ],
                ["wallet", "endpoint"],
                cursors.length,
              ),
              cursors.flatMap((c) => [
                c.wallet,
                c.endpoint,
                c.syncedToMs,
                c.walkTopMs,
                c.walkLowMs,
                c.walkFloorMs,
                c.newestMs,
                nowIso(),
              ]),
            );
          }
          return counts;
        });
      }),

    getCursor: (wallet, endpoint) =>
      serial(async () => {
        const [r] = await run(
          "SELECT synced_to_ms, walk_top_ms, walk_low_ms, walk_floor_ms, newest_ms FROM sync_cursors WHERE wallet = ? AND endpoint = ?",
          [wallet, endpoint],
        );
        if (!r) return null;
        const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
        return {
          wallet,
          endpoint,
          syncedToMs: n(r.synced_to_ms),
          walkTopMs: n(r.walk_top_ms),
          walkLowMs: n(r.walk_low_ms),
          walkFloorMs: n(r.walk_floor_ms),
          newestMs: n(r.newest_ms),
        } satisfies Cursor;
      }),

    oldestPendingMs: (wallet, sinceMs) =>
      serial(async () => {
        const [r] = await run(
          `SELECT LEAST(
          COALESCE((SELECT MIN(timestamp_ms) FROM transfers WHERE NOT confirmed AND timestamp_ms >= ? AND (from_address = ? OR to_address = ?)), 9e15),
          COALESCE((SELECT MIN(timestamp_ms) FROM transactions WHERE NOT confirmed AND timestamp_ms >= ? AND (owner_address = ? OR to_address = ?)), 9e15)) AS ms`,
          [sinceMs, wallet, wallet, sinceMs, wallet, wallet],
        );
        const ms = Number(r?.ms ?? 9e15);
        return ms >= 9e15 ? null : ms;
      }),

    tokens: () =>
      serial(async () =>
        (await run("SELECT token_id, asset_type, symbol, name, decimals, level FROM tokens")).map((r) => {
          const g = (k: string) => (r[k] ?? null) as string | null;
          return {
            tokenId: g("token_id")!,
            assetType: g("asset_type") as TokenRow["assetType"],
            symbol: g("symbol"),
            name: g("name"),
            decimals: g("decimals") === null ? null : Number(g("decimals")),
            level: g("level"),
          };
        }),
      ),

    rescaleTransfers: () =>
      serial(async () => {
        const rows =
          await run(`SELECT t.transfer_id AS id, t.amount_raw AS raw, k.decimals AS dec, k.symbol AS sym, k.name AS name FROM transfers t JOIN tokens k ON k.token_id = t.token_id
        WHERE t.token_decimals IS NULL AND k.decimals IS NOT NULL`);
        if (!rows.length) return 0;
        await transaction(async () => {
          await inTx(
            "CREATE TEMPORARY TABLE IF NOT EXISTS stage_rescale (transfer_id VARCHAR, decimals NUMBER(10,0), amount VARCHAR, symbol VARCHAR, name VARCHAR)",
          );
          await inTx("DELETE FROM stage_rescale");
          await bulkInsert(
            "stage_rescale",
            ["transfer_id", "decimals", "amount", "symbol", "name"],
            rows.map((r) => [
              r.id,
              Number(r.dec),
              formatUnits(BigInt(String(r.raw)), Number(r.dec)),
              r.sym ?? null,
              r.name ?? null,
            ]),
          );
          await inTx(`UPDATE transfers SET token_decimals = s.decimals, amount = s.amount, token_symbol = COALESCE(transfers.token_symbol, s.symbol),
          token_name = COALESCE(transfers.token_name, s.name) FROM stage_rescale s WHERE transfers.transfer_id = s.transfer_id`);
        });
        return rows.length;
      }),

    syncWallets: (wallets) =>
      serial(() =>
        transaction(async () => {
          const list = async () =>
            (await inTx("SELECT address FROM wallets ORDER BY address")).map((r) => String(r.address)).join(",");
          const before = await list();
          if (wallets.length) {
            await inTx(
              `MERGE INTO wallets t USING (SELECT * FROM VALUES ${wallets.map(() => "(?, ?)").join(", ")} AS v (address, label)) s ON t.address = s.address
          WHEN MATCHED THEN UPDATE SET label = s.label WHEN NOT MATCHED THEN INSERT (address, label, added_at) VALUES (s.address, s.label, ${d.now()})`,
              wallets.flatMap((x) => [x.address, x.label ?? null]),
            );
            await inTx(
              `DELETE FROM wallets WHERE address NOT IN (${wallets.map(() => "?").join(", ")})`,
              wallets.map((x) => x.address),
            );
          } else await inTx("DELETE FROM wallets");
          if (before !== (await list())) {
            // another set of wallets: the rules' rollup is rebuilt for every day holding activity (as on DuckDB)
            await inTx(`MERGE INTO activity_days t USING (${allActivityDaysSql()}) s ON t.day_ms = s.day_ms
          WHEN NOT MATCHED THEN INSERT (day_ms) VALUES (s.day_ms)`);
          }
        }),
      ),

    recordRun: (r: RunRecord) =>
      serial(async () => {
        await run(
          `MERGE INTO runs t USING (SELECT ? AS run_id, ? AS command, ? AS started_ms, ? AS ended_ms, ? AS status, ? AS error, ? AS counts) s ON t.run_id = s.run_id
        WHEN MATCHED THEN UPDATE SET ended_at = ${d.msToTimestamp("s.ended_ms")}, status = s.status, error = s.error, counts = PARSE_JSON(s.counts)
        WHEN NOT MATCHED THEN INSERT (run_id, command, started_at, ended_at, status, error, counts)
          VALUES (s.run_id, s.command, ${d.msToTimestamp("s.started_ms")}, ${d.msToTimestamp("s.ended_ms")}, s.status, s.error, PARSE_JSON(s.counts))`,
          [
            r.runId,
            r.command,
            r.startedAtMs,
            r.endedAtMs ?? null,
            r.status,
            r.error ?? null,
            JSON.stringify(r.counts ?? {}),
          ],
        );
      }),

    query: <T>(sql: string, params: unknown[] = []) => serial(async () => (await run(sql, params)) as T[]),

    transaction: (fn) =>
      serial(() =>
        transaction(() => fn(async <R>(sql: string, params: unknown[] = []) => (await inTx(sql, params)) as R[])),
      ),

    close: () =>
      serial(
        () =>
          new Promise<void>((resolve) => (o.connection.destroy ? o.connection.destroy(() => resolve()) : resolve())),
      ),
  };
  return w;
}

/** Snowflake answers unquoted identifiers in upper case; the builders read lower case. */
/** Integers arrive as BigInt and are handed on as strings, like DuckDB's rows (exact, whatever their size). */
const lowerKeys = (r: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), typeof v === "bigint" ? v.toString() : v]));
