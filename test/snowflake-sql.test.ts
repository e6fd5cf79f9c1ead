// Snowflake without an account: every generated statement is parsed by node-sql-parser's Snowflake
// grammar where it can; the statement kinds it cannot parse get a named check instead (listed below).
// The committed sql/snowflake/ files must be exactly what the generator writes.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import sqlParser from "node-sql-parser";
import { deployScripts, scriptText } from "../src/warehouse/snowflake/deploy.ts";
import { MIGRATIONS } from "../src/warehouse/migrations.ts";
import { snowflakeDialect } from "../src/warehouse/snowflake/dialect.ts";
import { mergeTransactionsSql, mergeTransfersSql } from "../src/warehouse/upsert.ts";
import * as A from "../src/anomalies/fragments.ts";
import { DETECTORS } from "../src/anomalies/detectors/index.ts";
import { rangeJoinSql } from "../src/anomalies/detectors/large-transaction.ts";
import { parseConfig } from "../src/config/load.ts";
import { detectContext, SAMPLE_RULES } from "./builders.ts";
import { rulesSql } from "../src/rules/rule-query.ts";
import { historyInsertSql, rollupInsertSql } from "../src/warehouse/activity/rollup.ts";
import { dailyTotalsSql, tokenTotalsSql, topVolumeSql, walletDaysSql, walletTxSql } from "../src/dashboard/rolled.ts";
import { walletMetricsSql, walletTokenMetricsSql } from "../src/warehouse/activity/metrics-sql.ts";
import { ROOT } from "./helpers.ts";
import { raw } from "../src/warehouse/sql.ts";

const parser = new sqlParser.Parser();
const parses = (sql: string) => {
  // VARIANT is a Snowflake type the grammar does not know: checked as VARCHAR (the type itself is Snowflake's own)
  parser.astify(sql.replace(/\bVARIANT\b/g, "VARCHAR"), { database: "snowflake" });
  return true;
};
const pgParseError = (sql: string) => {
  try {
    parser.astify(sql, { database: "postgresql" });
    return null;
  } catch (e) {
    return (e as Error).message.slice(0, 200);
  }
};
const parseError = (sql: string) => {
  try {
    parses(sql);
    return null;
  } catch (e) {
    return (e as Error).message.slice(0, 200);
  }
};

const scripts = deployScripts();
const all = scripts.flatMap((s) => s.statements.map((sql) => ({ file: s.file, sql: sql.trim() })));
const procedures = new Set(all.map((x) => /^CREATE OR REPLACE PROCEDURE (\w+)\(/.exec(x.sql)?.[1]).filter(Boolean));
const tasks = new Set(all.map((x) => /^CREATE OR REPLACE TASK (\w+)/.exec(x.sql)?.[1]).filter(Boolean));
/** TABLE(INFORMATION_SCHEMA.F(NAME => value, ...)) with named arguments: the grammar has no `=>`. */
function withoutTableFunctions(sql: string): string {
  const start = sql.indexOf("TABLE(INFORMATION_SCHEMA.");
  if (start < 0) return sql;
  let depth = 0,
    i = start + "TABLE".length;
  for (; i < sql.length; i++) {
    if (sql[i] === "(") depth++;
    else if (sql[i] === ")" && --depth === 0) break;
  }
  return withoutTableFunctions(sql.slice(0, start) + "information_schema_result" + sql.slice(i + 1));
}

/** MERGE (not in the grammar): its clauses, as many VALUES as INSERT columns, and its USING query parsed. */
function checkMerge(sql: string) {
  const s = sql.replace(/\s+/g, " ").trim();
  expect(s).toMatch(
    /^MERGE INTO \w+ \w+ USING \(.+\) \w+ ON .+ WHEN NOT MATCHED THEN INSERT \([\w, ]+\) VALUES \(.+\)$/,
  );
  const cols = /INSERT \(([\w, ]+)\)/.exec(s)![1].split(", ").length;
  const values = s.slice(s.lastIndexOf(" VALUES (") + " VALUES (".length, -1); // the INSERT's, not the source's
  let depth = 0,
    n = 1;
  for (const ch of values) {
    if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === "," && depth === 0) n++;
  }
  expect(n, "MERGE INSERT: as many values as columns").toBe(cols);
  const using = /USING \((.+)\) \w+ ON /.exec(s)![1];
  // VALUES lists with a column alias list are Snowflake's; the grammar checks the rest with a one-row stand-in
  expect(
    parseError(using.replace(/\?/g, "0").replace(/FROM VALUES (\([?, ]+\)(, )?)+ AS v \(([\w, ]+)\)/, "FROM v")),
    using.slice(0, 80),
  ).toBeNull();
}

/** Statement kinds node-sql-parser 5.4 cannot parse in Snowflake mode, and how each is checked instead. */
const FALLBACKS: { kind: string; match: RegExp; check: (sql: string) => void }[] = [
  {
    kind: "CREATE VIEW over a long WITH query (grammar limit): the query is parsed alone",
    match: /^CREATE OR REPLACE VIEW \w+ AS\s/,
    check: (sql) =>
      expect(parseError(sql.replace(/^CREATE OR REPLACE VIEW \w+ AS\s+/, "")), sql.slice(0, 60)).toBeNull(),
  },
  {
    kind: "MERGE (not in the grammar): checked by its clauses, its USING query parsed",
    match: /^MERGE INTO /,
    check: (sql) => checkMerge(sql),
  },
  {
    kind: "DELETE (not in the Snowflake grammar): parsed with the PostgreSQL grammar (standard DELETE)",
    match: /^DELETE FROM /,
    check: (sql) => expect(pgParseError(sql)).toBeNull(),
  },
  {
    kind: "CREATE PROCEDURE (Snowflake Scripting): every SQL statement of the body parsed; MERGE by its clauses",
    match: /^CREATE OR REPLACE PROCEDURE /,
    check: (sql) => {
      expect(sql).toMatch(
        /^CREATE OR REPLACE PROCEDURE \w+\(\)\nRETURNS VARCHAR\nLANGUAGE SQL\nAS\n\$\$\nBEGIN\n[\s\S]+\nEND;\n\$\$$/,
      );
      const body = sql
        .slice(sql.indexOf("$$") + 2, sql.lastIndexOf("$$"))
        .split(/;\s*\n/)
        .map((x) => x.trim())
        .filter(Boolean);
      for (const st of body) {
        if (/^(BEGIN|END|COMMIT|BEGIN TRANSACTION|RETURN '[^']*')$/.test(st) || /^BEGIN\n/.test(st)) continue;
        const s = st.replace(/^BEGIN\s+/, "");
        if (/^MERGE INTO /.test(s)) {
          checkMerge(s);
          continue;
        }
        const ctas = /^CREATE OR REPLACE TEMPORARY TABLE \w+ AS ([\s\S]+)$/.exec(s);
        if (/^DELETE FROM /.test(s))
          expect(pgParseError(s)).toBeNull(); // the grammar limit named below
        else expect(parseError(ctas ? ctas[1] : s), s.slice(0, 80)).toBeNull();
      }
    },
  },
  {
    kind: "CREATE TASK: schedule and body checked; the body (CALL of a defined procedure, or an INSERT ... SELECT) parsed",
    match: /^CREATE OR REPLACE TASK /,
    check: (sql) => {
      expect(sql).toMatch(
        /^CREATE OR REPLACE TASK \w+\n {2}SCHEDULE = '\d+ MINUTE'\n {2}USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE = 'XSMALL'\n {2}COMMENT = '[^']+'\nAS\n {2}/,
      );
      const body = sql.slice(sql.indexOf("\nAS\n") + 4).trim();
      const call = /^CALL (\w+)\(\)$/.exec(body);
      if (call) expect(procedures.has(call[1]), `${call[1]} is defined`).toBe(true);
      else expect(parseError(withoutTableFunctions(body))).toBeNull();
    },
  },
  {
    kind: "ALTER TASK ... RESUME: a task defined above",
    match: /^ALTER TASK \w+ RESUME$/,
    check: (sql) => expect(tasks.has(sql.split(" ")[2])).toBe(true),
  },
  {
    kind: "ALTER TABLE ... ADD COLUMN IF NOT EXISTS (IF NOT EXISTS not in the grammar): parsed without it",
    match: /^ALTER TABLE \w+ ADD COLUMN IF NOT EXISTS /,
    check: (sql) => expect(parseError(sql.replace(" IF NOT EXISTS", ""))).toBeNull(),
  },
  { kind: "SHOW TASKS", match: /^SHOW TASKS LIKE '[^']+'$/, check: () => undefined },
  {
    kind: "SELECT from TABLE(INFORMATION_SCHEMA.F(NAME => ...)): parsed with the table function replaced",
    match: /TABLE\(INFORMATION_SCHEMA\./,
    check: (sql) => expect(parseError(withoutTableFunctions(sql))).toBeNull(),
  },
];

describe("Snowflake statements the adapter runs", () => {
  it("its MERGEs (rows, alerts, anomalies, outbox, cursors) have the right shape and their sources parse", () => {
    checkMerge(mergeTransfersSql(snowflakeDialect));
    checkMerge(mergeTransactionsSql(snowflakeDialect));
    checkMerge(snowflakeDialect.upsertSql("alerts", ["alert_id", "status", "value"], ["alert_id"], 3));
    checkMerge(
      snowflakeDialect.upsertSql("sync_cursors", ["wallet", "endpoint", "synced_to_ms"], ["wallet", "endpoint"], 1),
    );
    checkMerge(
      snowflakeDialect.insertMissingSql("anomalies", ["anomaly_id", "details"], ["anomaly_id"], 2, {
        json: ["details"],
      }),
    );
    expect(
      snowflakeDialect.insertMissingSql("outbox", ["sink", "event_id", "payload"], ["sink", "event_id"], 1, {
        json: ["payload"],
      }),
    ).toContain("PARSE_JSON(payload) AS payload");
    expect(() =>
      checkMerge("MERGE INTO t USING (SELECT 1 AS a) s ON t.a = s.a WHEN NOT MATCHED THEN INSERT (a, b) VALUES (s.a)"),
    ).toThrow();
  });
});

describe("the pipeline's queries through the Snowflake dialect", () => {
  it("rules, rollup, anomaly detectors and metrics parse with the Snowflake grammar (placeholders as literals); their MERGEs by shape", () => {
    const known = [{ tokenId: "_", symbol: "TRX", name: "Tronix" }];
    const d = snowflakeDialect;
    const settings = parseConfig({ wallets: [{ address: "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF" }] }).anomalies;
    settings.address_poisoning.dust = [{ token: "_", max: "1" }];
    const ctx = detectContext(d, {
      settings: { ...settings, large_transaction: { ...settings.large_transaction, min_amount: { _: "5" } } },
      nowMs: 1e12,
      watermarkMs: 1,
      fresh: { rows: 10, minMs: 0 },
    });
    const selects = {
      rules: rulesSql(SAMPLE_RULES, 1e12).query.text,
      history: historyInsertSql(0, 1).text,
      rollup: rollupInsertSql("wallet_daily").text,
      watched_rollup: rollupInsertSql("watched_daily").text,
      dashboard_daily: dailyTotalsSql({ fromMs: 0, toMs: 3e9 }, "T").text,
      dashboard_tokens: tokenTotalsSql({ fromMs: 0, toMs: 3e9 }).text,
      dashboard_top: topVolumeSql({ fromMs: 0, toMs: 3e9 }, "T").text,
      dashboard_wallets: walletTxSql({ fromMs: 0, toMs: 3e9 }).text,
      dashboard_wallet_days: walletDaysSql({ fromMs: 0, toMs: 3e9 }, "T").text,
      ...Object.fromEntries(DETECTORS.map((x) => [x.type, x.query(ctx).text])),
      large_transaction_join: rangeJoinSql(ctx).text,
      wallet_metrics: walletMetricsSql(raw(d.nowMs())).text,
      wallet_token_metrics: walletTokenMetricsSql(raw(d.nowMs())).text,
    };
    for (const [name, sql] of Object.entries(selects)) expect(parseError(sql.replace(/\?/g, "0")), name).toBeNull();
    checkMerge(A.mergeCounterpartiesSql(d, { watermarkMs: 1, known }).text);
    checkMerge(A.backfillCounterpartiesSql(d, { watermarkMs: 1, known }).text);
    expect(d.framedMedian).toBe(false); // so large_transaction never uses the RANGE-framed MEDIAN window there
  });
});

describe("Snowflake deploy scripts", () => {
  it("every statement parses with the Snowflake grammar, or passes the named check for its kind", () => {
    const usedFallbacks = new Map<string, number>();
    for (const { file, sql } of all) {
      const err = parseError(sql);
      if (err === null) continue;
      const f = FALLBACKS.find((x) => x.match.test(sql));
      expect(f, `${file}: ${sql.slice(0, 100)} — ${err}`).toBeDefined();
      f!.check(sql);
      usedFallbacks.set(f!.kind, (usedFallbacks.get(f!.kind) ?? 0) + 1);
    }
    const parsed = all.length - [...usedFallbacks.values()].reduce((a, b) => a + b, 0);
    expect(parsed).toBeGreaterThanOrEqual(30); // most statements (34 of 48 today) go through the parser itself
    expect([...usedFallbacks.keys()].sort()).toEqual(FALLBACKS.map((f) => f.kind).sort()); // every fallback is still needed
  });

  it("a broken statement is caught (the check can fail)", () => {
    expect(parseError("CREATE TABLE t (a NUMBER(38,0)")).not.toBeNull();
    expect(parseError("SELECT a FROM t WHERE")).not.toBeNull();
  });

  it("sql/snowflake/ is exactly what the generator writes (regenerate: tronmon snowflake deploy --out sql/snowflake)", () => {
    for (const s of scripts)
      expect(readFileSync(join(ROOT, "sql/snowflake", s.file), "utf8"), s.file).toBe(scriptText(s));
  });

  it("the schema script is the adapter's migrations in Snowflake types: every table and view, raw amounts NUMBER(38,0), times TIMESTAMP_TZ, JSON VARIANT", () => {
    const schema = scripts.find((s) => s.file === "01_schema.sql")!.statements.join("\n");
    for (const m of MIGRATIONS) for (const st of m.statements(snowflakeDialect)) expect(schema).toContain(st);
    expect(schema).toMatch(/amount_num NUMBER\(38,0\)/);
    expect(schema).toMatch(/timestamp_utc TIMESTAMP_TZ/);
    expect(schema).toMatch(/raw VARIANT/);
    expect(schema).not.toMatch(/\bDECIMAL\(38,0\)\s*,?\s*$|\bJSON\b|make_timestamp|epoch_ms/m);
  });
});
