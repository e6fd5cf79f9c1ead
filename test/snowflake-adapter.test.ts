// The Snowflake adapter against a stand-in for snowflake-sdk's connection that records what would be
// executed: batch sizes, bind shapes, one MERGE per table, the transaction, retries on transient errors only.
import { buildTransfer } from "./builders.ts";
import { describe, expect, it } from "vitest";
import { createSnowflakeWarehouse } from "../src/warehouse/snowflake/index.ts";
import { isTransient, type SfConnection, type SfError } from "../src/warehouse/snowflake/driver.ts";
import { MIGRATIONS } from "../src/warehouse/migrations.ts";
import { snowflakeDialect } from "../src/warehouse/snowflake/dialect.ts";
import { emptyBatch, type TransferRow } from "../src/model/rows.ts";

const USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
const W = "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF";
const T0 = Date.parse("2026-03-01T00:00:00Z");

type Call = { sql: string; binds?: unknown[] | unknown[][] };
function standIn(fail?: (sql: string, n: number) => SfError | undefined) {
  const calls: Call[] = [];
  const seen = new Map<string, number>();
  const conn: SfConnection = {
    execute: ({ sqlText, binds, complete }) => {
      const sql = sqlText.replace(/\s+/g, " ").trim();
      calls.push({ sql, binds });
      const key = sql.slice(0, 30);
      seen.set(key, (seen.get(key) ?? 0) + 1);
      const err = fail?.(sql, seen.get(key)!);
      let rows: Record<string, unknown>[] = [];
      if (/^MERGE INTO (transfers|transactions) /.test(sql))
        rows = [{ "number of rows inserted": 25_000, "number of rows updated": 0 }];
      queueMicrotask(() => complete(err, {}, err ? undefined : rows));
      return {};
    },
  };
  return { conn, calls };
}

function transfers(n: number): TransferRow[] {
  return Array.from({ length: n }, (_, i) =>
    buildTransfer({
      transactionId: i.toString(16).padStart(64, "0"),
      block: 70_000_000 + i,
      timestampMs: T0 + i * 1000,
      tokenLevel: "2",
      observedAtMs: T0 + 10_000_000,
    }),
  );
}

const noSleep = async () => undefined;
const cursor = {
  wallet: W,
  endpoint: "trc20" as const,
  syncedToMs: T0 + 25_000_000,
  walkTopMs: null,
  walkLowMs: null,
  walkFloorMs: null,
  newestMs: T0 + 24_999_000,
};

describe("Snowflake adapter (stand-in connection)", () => {
  it("25,000 transfers: staged by array binding in batches of 10,000, one MERGE per table, cursor in the same transaction, no per-row statements", async () => {
    const { conn, calls } = standIn();
    const w = await createSnowflakeWarehouse({ connection: conn, batchRows: 10_000, sleep: noSleep });
    expect(calls[0].sql).toBe("ALTER SESSION SET QUERY_TAG = 'tronmon', TIMEZONE = 'UTC'");
    calls.length = 0;
    const counts = await w.load({
      batch: { ...emptyBatch(), transfers: transfers(25_000) },
      cursors: [cursor],
      runId: "r1",
    });
    expect(counts.transfersNew).toBe(25_000);
    const sqls = calls.map((c) => c.sql);
    expect(sqls.length).toBeLessThan(24); // independent of the row count
    const begin = sqls.indexOf("BEGIN");
    expect(sqls.at(-1)).toBe("COMMIT");
    const inserts = calls.filter((c) => c.sql.startsWith("INSERT INTO stage_transfers "));
    expect(inserts.map((c) => (c.binds as unknown[][]).length)).toEqual([10_000, 10_000, 5_000]);
    expect((inserts[0].binds as unknown[][])[0]).toEqual([
      transfers(1)[0].transferId,
      "0".repeat(64),
      70_000_000,
      T0,
      W,
      "TU4vEruvZwLLkSfV9bNw12EJTPvNr7Pvaa",
      "trc20",
      USDT,
      "USDT",
      "Tether USD",
      6,
      "1000000",
      "1",
      true,
      "success",
      false,
      "2",
      "trc20",
      T0 + 10_000_000,
      null,
    ]);
    expect(inserts[0].sql).toBe(
      `INSERT INTO stage_transfers (${"transfer_id, transaction_id, block, timestamp_ms, from_address, to_address, asset_type, token_id, token_symbol, token_name, token_decimals, amount_raw, amount, confirmed, status, risk, token_level, source, observed_ms, nft_token_id"}) VALUES (${Array(20).fill("?").join(", ")})`,
    );
    // each transfer's transaction is derived (detail 0) and staged the same way
    expect(
      calls
        .filter((c) => c.sql.startsWith("INSERT INTO stage_transactions "))
        .map((c) => (c.binds as unknown[][]).length),
    ).toEqual([10_000, 10_000, 5_000]);
    expect(sqls.filter((s) => s.startsWith("MERGE INTO transfers ")).length).toBe(1);
    expect(sqls.filter((s) => s.startsWith("MERGE INTO transactions ")).length).toBe(1);
    const cur = calls.find((c) => c.sql.startsWith("MERGE INTO sync_cursors "))!;
    expect(sqls.indexOf(cur.sql)).toBeGreaterThan(begin);
    expect((cur.binds as unknown[]).slice(0, 7)).toEqual([
      W,
      "trc20",
      T0 + 25_000_000,
      null,
      null,
      null,
      T0 + 24_999_000,
    ]);
    // rows are matched by id wherever they are stored: the MERGE's time range is the batch's widened to the
    // stored times of the ids it holds (read first); raw JSON goes through PARSE_JSON
    expect(
      sqls.some((s) =>
        /^SELECT CASE WHEN t\.timestamp_ms <> s\.timestamp_ms THEN .+ FROM transactions t JOIN stage_transactions s ON t\.hash = s\.hash GROUP BY 1$/s.test(
          s,
        ),
      ),
    ).toBe(true);
    const mt = sqls.find((s) => s.startsWith("MERGE INTO transactions "))!;
    expect(mt).toContain(`t.timestamp_ms BETWEEN ${T0} AND ${T0 + 24_999_000}`);
    expect(mt).toContain("PARSE_JSON(s.raw)");
  });

  it("a transient error rolls the load back and retries it whole; a SQL error fails at once", async () => {
    const flaky = standIn((sql, n) =>
      sql.startsWith("MERGE INTO transfers ") && n === 1
        ? Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })
        : undefined,
    );
    const w = await createSnowflakeWarehouse({ connection: flaky.conn, sleep: noSleep });
    await w.load({ batch: { ...emptyBatch(), transfers: transfers(3) }, cursors: [cursor], runId: "r" });
    const s = flaky.calls.map((c) => c.sql.split(" ")[0]);
    expect(s.filter((x) => x === "BEGIN")).toHaveLength(2);
    expect(s.filter((x) => x === "ROLLBACK")).toHaveLength(1);
    expect(s.filter((x) => x === "COMMIT")).toHaveLength(1);

    const broken = standIn((sql) =>
      sql.startsWith("MERGE INTO transfers ")
        ? Object.assign(new Error("SQL compilation error: invalid identifier 'X'"), { code: "000904" })
        : undefined,
    );
    const w2 = await createSnowflakeWarehouse({ connection: broken.conn, sleep: noSleep });
    await expect(w2.load({ batch: { ...emptyBatch(), transfers: transfers(3) }, runId: "r" })).rejects.toThrow(
      /invalid identifier/,
    );
    const s2 = broken.calls.map((c) => c.sql.split(" ")[0]);
    expect(s2.filter((x) => x === "BEGIN")).toHaveLength(1);
    expect(s2.filter((x) => x === "ROLLBACK")).toHaveLength(1);
    expect(s2).not.toContain("COMMIT");
  });

  it("classifies errors: network, 429/5xx, expired session are transient; SQL, privilege and missing objects are not", () => {
    const e = (message: string, extra: Record<string, unknown> = {}) =>
      Object.assign(new Error(message), extra) as SfError;
    expect(isTransient(e("x", { code: "ECONNRESET" }))).toBe(true);
    expect(isTransient(e("Request to Snowflake failed", { response: { statusCode: 503 } }))).toBe(true);
    expect(isTransient(e("Too many requests", { response: { statusCode: 429 } }))).toBe(true);
    expect(isTransient(e("Authentication token has expired", { code: "390114" }))).toBe(true);
    expect(
      isTransient(e("SQL compilation error: Object 'TRANSFERS' does not exist or not authorized.", { code: "002003" })),
    ).toBe(false);
    expect(isTransient(e("Insufficient privileges to operate on schema 'MONITORING'", { code: "003001" }))).toBe(false);
    expect(isTransient(e("Numeric value 'abc' is not recognized", { code: "100038" }))).toBe(false);
  });

  it("migrate runs every migration's statements in Snowflake types once, and records them", async () => {
    const { conn, calls } = standIn();
    const w = await createSnowflakeWarehouse({ connection: conn, sleep: noSleep });
    await w.migrate();
    const sqls = calls.map((c) => c.sql);
    for (const m of MIGRATIONS)
      for (const st of m.statements(snowflakeDialect)) expect(sqls).toContain(st.replace(/\s+/g, " ").trim());
    expect(
      calls.filter((c) => c.sql.startsWith("INSERT INTO schema_migrations")).map((c) => (c.binds as unknown[])[0]),
    ).toEqual(MIGRATIONS.map((m) => m.version));
  });
});

describe("Snowflake doctor and deploy (stand-in)", () => {
  it("reads the role's grants, following granted roles, and names each missing privilege with the GRANT that fixes it", async () => {
    const { grantsOf, missing } = await import("../src/warehouse/snowflake/doctor.ts");
    const grants: Record<string, Record<string, string>[]> = {
      TRONMON_LOADER: [
        { privilege: "USAGE", granted_on: "WAREHOUSE", name: "TRONMON_WH" },
        { privilege: "USAGE", granted_on: "ROLE", name: "DB_READER" },
        { privilege: "CREATE TABLE", granted_on: "SCHEMA", name: "TRON.MONITORING" },
      ],
      DB_READER: [
        { privilege: "USAGE", granted_on: "DATABASE", name: "TRON" },
        { privilege: "USAGE", granted_on: "SCHEMA", name: "TRON.MONITORING" },
      ],
    };
    const asked: string[] = [];
    const exec = async (sql: string) => {
      asked.push(sql);
      return grants[/"(\w+)"/.exec(sql)![1]] ?? [];
    };
    const g = await grantsOf(exec, "tronmon_loader");
    expect(asked).toEqual(['SHOW GRANTS TO ROLE "TRONMON_LOADER"', 'SHOW GRANTS TO ROLE "DB_READER"']);
    const m = missing(g, "tronmon_loader", { warehouse: "tronmon_wh", database: "tron", schema: "monitoring" });
    expect(m.filter((x) => !x.need.optional).map((x) => x.sentence)).toEqual([
      "The role TRONMON_LOADER cannot create the views (migrations): it lacks CREATE VIEW on schema TRON.MONITORING. Fix: GRANT CREATE VIEW ON SCHEMA TRON.MONITORING TO ROLE TRONMON_LOADER;",
    ]);
    expect(m.filter((x) => x.need.optional).map((x) => x.need.privilege)).toEqual([
      "CREATE PROCEDURE",
      "CREATE TASK",
      "EXECUTE MANAGED TASK",
    ]);
    // OWNERSHIP of the schema covers what is granted on it
    const owner = missing(
      [...g, { privilege: "OWNERSHIP", granted_on: "SCHEMA", name: "TRON.MONITORING" }],
      "tronmon_loader",
      { warehouse: "tronmon_wh", database: "tron", schema: "monitoring" },
    );
    expect(owner.map((x) => x.need.privilege)).toEqual(["EXECUTE MANAGED TASK"]);
  });

  it("deploy applies the schema and automation scripts statement by statement, in order (not the monitoring queries)", async () => {
    const { applyScripts, deployScripts } = await import("../src/warehouse/snowflake/deploy.ts");
    const ran: string[] = [];
    const n = await applyScripts(async (sql) => {
      ran.push(sql);
    });
    const expected = deployScripts()
      .filter((s) => s.file !== "check_etl_tasks.sql")
      .flatMap((s) => s.statements.map((x) => x.trim()));
    expect(ran).toEqual(expected);
    expect(n).toBe(expected.length);
    expect(ran.at(-1)).toBe("ALTER TASK alert_task_failures RESUME");
  });
});
