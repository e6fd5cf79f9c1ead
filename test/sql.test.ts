// SQL as values (warehouse/sql.ts): parameters land where their values appear, fragments compose and bring
// their parameters along, and the pipeline's queries keep their text and parameters per dialect (snapshots:
// a change to generated SQL shows up in review as a diff of these files).
import { describe, expect, it } from "vitest";
import { DETECTORS } from "../src/anomalies/detectors/index.ts";
import { rulesSql } from "../src/rules/rule-query.ts";
import { duckdbDialect } from "../src/warehouse/duckdb/dialect.ts";
import { snowflakeDialect } from "../src/warehouse/snowflake/dialect.ts";
import { and, join, labelled, list, raw, spelled, sql } from "../src/warehouse/sql.ts";
import { walletActivity, walletTransfers } from "../src/warehouse/activity/wallet-side.ts";
import { detectContext, SAMPLE_RULES } from "./builders.ts";

const W = "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF";

describe("the sql tag", () => {
  it("binds values where they appear; a fragment used twice binds its values twice, in order", () => {
    const since = sql`t.timestamp_ms >= ${100}`;
    const q = sql`SELECT * FROM t WHERE a = ${"x"} AND ${since} OR (${since} AND b IN (${list([1, 2])}))`;
    expect(q.text).toBe("SELECT * FROM t WHERE a = ? AND t.timestamp_ms >= ? OR (t.timestamp_ms >= ? AND b IN (?, ?))");
    expect(q.params).toEqual(["x", 100, 100, 1, 2]);
  });

  it("raw text is inlined, never bound; and() of nothing is TRUE; labels travel with the query", () => {
    expect(sql`SELECT ${raw("a, b")} FROM ${raw("t")} WHERE ${and([])}`.text).toBe("SELECT a, b FROM t WHERE TRUE");
    expect(join([sql`a = ${1}`, sql`b = ${2}`], " OR ").params).toEqual([1, 2]);
    expect(labelled("x.y", sql`SELECT ${1}`)).toMatchObject({ label: "x.y", text: "SELECT ?", params: [1] });
    expect(spelled(duckdbDialect.msToTimestamp, 5)).toMatchObject({
      text: "make_timestamp(CAST(? AS BIGINT) * 1000)",
      params: [5],
    });
    expect(() => spelled((r) => `${r} + ${r}`, 1)).toThrow(/once/);
  });

  it("a wallet's side of its transfers: the wallet is bound in each branch (worked by hand: 2 + 3 places)", () => {
    const q = walletTransfers({ select: raw("t.amount"), wallet: W });
    expect(q.params).toEqual([W, W, W, W, W]);
    expect(q.text).toContain("CASE WHEN t.to_address = t.from_address THEN 'self' ELSE 'out' END AS direction");
    expect(q.text).toContain("'in' AS direction, t.from_address AS counterparty");
    // over every watched wallet: joined, nothing bound
    expect(walletTransfers({ select: raw("t.amount") }).params).toEqual([]);
  });
});

const rules = SAMPLE_RULES;

describe.each([duckdbDialect, snowflakeDialect])("generated queries on $name", (d) => {
  const ctx = detectContext(d);

  it("rules: text and parameters", () => {
    const q = rulesSql(rules, 1.8e12).query;
    expect({ label: q.label, text: q.text, params: q.params }).toMatchSnapshot();
  });
  it("detectors: text and parameters", () => {
    for (const x of DETECTORS) {
      const q = x.query(ctx);
      expect({ label: q.label, text: q.text, params: q.params }).toMatchSnapshot(x.type);
    }
  });
  it("one wallet's activity in a window", () => {
    const q = walletActivity({ wallet: W, window: { fromMs: 1, toMs: 2 } });
    expect({ text: q.text, params: q.params }).toMatchSnapshot();
  });
});
