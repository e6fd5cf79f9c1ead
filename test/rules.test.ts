// Threshold rules and the alert lifecycle on hand-built transfers whose sums and counts are worked out
// on paper in the comments.
import { refreshRollup } from "../src/warehouse/activity/rollup.ts";
import { DAY_MS } from "../src/model/time.ts";
import { movement } from "./builders.ts";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { evaluateRules } from "../src/rules/evaluate.ts";
import { saveRules } from "../src/rules/alert-store.ts";
import { emptyBatch, type TransferRow } from "../src/model/rows.ts";
import { memoryWarehouse, tempDir } from "./helpers.ts";
import type { Warehouse } from "../src/warehouse/types.ts";
import type { ThresholdRule } from "../src/model/alerts.ts";
import { stmt } from "./stmt.ts";

const W = "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF";
const PEER = "TU4vEruvZwLLkSfV9bNw12EJTPvNr7Pvaa";
const USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
const FAKE = "TJCDneQevgfGFkU1rpCxVofksbeiGLhMCi";
const NOW = Date.parse("2026-03-10T00:00:00Z");
const DAY = DAY_MS;

function transfer(o: {
  ts: number;
  raw: bigint;
  dir?: "in" | "out";
  token?: string;
  status?: "success" | "failed";
  symbol?: string;
}): TransferRow {
  return movement({
    ts: o.ts,
    raw: o.raw,
    dir: o.dir,
    peer: PEER,
    tokenId: o.token ?? USDT,
    tokenSymbol: o.symbol ?? "USDT",
    status: o.status ?? "success",
  });
}

const rule = (r: Partial<ThresholdRule> & Pick<ThresholdRule, "name" | "kind" | "threshold">): ThresholdRule => ({
  periodDays: 7,
  tokenId: USDT,
  direction: "any",
  wallets: null,
  enabled: true,
  ...r,
});

let w: Warehouse;
let out: string;
async function load(rows: TransferRow[]) {
  await w.load({ batch: { ...emptyBatch(), transfers: rows }, runId: "t" });
}
const evaluate = async (nowMs: number) => {
  await refreshRollup(w);
  return evaluateRules({ warehouse: w, nowMs, outDir: out });
};
const alerts = () =>
  w.query<Record<string, string>>(
    stmt("SELECT rule_name, wallet, status, value, threshold FROM alerts ORDER BY first_seen_ms, rule_name"),
  );
const files = () => {
  try {
    return readdirSync(join(out, "alerts")).sort();
  } catch {
    return [];
  }
};

beforeEach(async () => {
  w = await memoryWarehouse();
  out = tempDir();
  await w.setWallets([{ address: W }]);
});

describe("volume rule (500000 USDT over 7 days)", () => {
  beforeEach(async () => {
    await saveRules(w, [rule({ name: "vol7", kind: "volume", threshold: "500000" })]);
    await load([
      transfer({ ts: NOW - 1 * DAY, raw: 300_000_000_000n }), // 300000 in
      transfer({ ts: NOW - 2 * DAY, raw: 200_000_000_000n, dir: "out" }), // 200000 out -> 500000 exactly
      transfer({ ts: NOW - 7 * DAY - 1000, raw: 5_000_000n }), // 7 days and 1 second old: outside
      transfer({ ts: NOW - 3 * DAY, raw: 1_000_000_000_000n, status: "failed" }), // failed: moves nothing
      transfer({ ts: NOW - 3 * DAY, raw: 1_000_000_000_000n, token: FAKE }), // a fake "USDT": another token
    ]);
  });

  it("exactly at the threshold does not fire", async () => {
    const s = await evaluate(NOW);
    expect(s).toMatchObject({ breaches: 0, opened: 0, exportedFile: null });
    expect(await alerts()).toEqual([]);
  });

  it("just above fires, with the exact value", async () => {
    await load([transfer({ ts: NOW - 60_000, raw: 1n })]); // + 0.000001
    const s = await evaluate(NOW);
    expect(s.opened).toBe(1);
    expect(await alerts()).toEqual([
      { rule_name: "vol7", wallet: W, status: "open", value: "500000.000001", threshold: "500000" },
    ]);
    const exported = JSON.parse(readFileSync(s.exportedFile!, "utf8"));
    expect(exported).toEqual([
      expect.objectContaining({
        wallet: W,
        rule: "vol7",
        value: "500000.000001",
        threshold: "500000",
        unit: "USDT",
        exported_at: "2026-03-10T00:00:00Z",
        status: "open",
        token: USDT,
        direction: "any",
        period_days: 7,
      }),
    ]);
  });

  it("direction in counts only incoming: 300000.000001 > 300000 but not > 300000.000001", async () => {
    await load([transfer({ ts: NOW - 60_000, raw: 1n })]);
    await saveRules(w, [
      rule({ name: "in", kind: "volume", threshold: "300000", direction: "in" }),
      rule({ name: "in-high", kind: "volume", threshold: "300000.000001", direction: "in" }),
    ]);
    await evaluate(NOW);
    expect((await alerts()).map((a) => [a.rule_name, a.value])).toEqual([["in", "300000.000001"]]);
  });
});

describe("count rule (more than 3 successful transactions over 7 days)", () => {
  it("3 does not fire, 4 does; failed and old ones do not count", async () => {
    await saveRules(w, [rule({ name: "cnt", kind: "count", threshold: "3" })]);
    await load([
      transfer({ ts: NOW - DAY, raw: 1n }),
      transfer({ ts: NOW - DAY, raw: 2n, dir: "out" }),
      transfer({ ts: NOW - 6 * DAY, raw: 3n, token: FAKE }),
      transfer({ ts: NOW - DAY, raw: 4n, status: "failed" }),
      transfer({ ts: NOW - 8 * DAY, raw: 5n }),
    ]);
    expect((await evaluate(NOW)).opened).toBe(0);
    await load([transfer({ ts: NOW - 1000, raw: 6n })]);
    expect((await evaluate(NOW)).opened).toBe(1);
    expect(await alerts()).toEqual([{ rule_name: "cnt", wallet: W, status: "open", value: "4", threshold: "3" }]);
  });
});

describe("alert lifecycle", () => {
  beforeEach(async () => {
    await saveRules(w, [rule({ name: "vol7", kind: "volume", threshold: "1000" })]);
    await load([transfer({ ts: NOW - DAY, raw: 2_000_000_000n })]); // 2000 USDT, a day old
  });

  it("stays open across three evaluations, exported once; re-running the same evaluation writes nothing", async () => {
    await evaluate(NOW);
    await evaluate(NOW + 3_600_000);
    await evaluate(NOW + 7_200_000);
    expect(files()).toHaveLength(1);
    const rows = await w.query<Record<string, string>>(
      stmt("SELECT count(*) AS n, max(last_seen_ms) AS last FROM alerts"),
    );
    expect(rows[0]).toEqual({ n: "1", last: String(NOW + 7_200_000) });
    const again = await evaluate(NOW + 7_200_000);
    expect(again).toMatchObject({ opened: 0, changed: 0, resolved: 0, exportedFile: null });
    expect(files()).toHaveLength(1);
  });

  it("resolves when the condition stops holding, and a later breach opens a new alert", async () => {
    await evaluate(NOW);
    const resolved = await evaluate(NOW + 6 * DAY + 1); // the transfer is now more than 7 days old
    expect(resolved.resolved).toBe(1);
    expect((await alerts()).map((a) => a.status)).toEqual(["resolved"]);
    await load([transfer({ ts: NOW + 8 * DAY, raw: 1_500_000_000n })]);
    const reopened = await evaluate(NOW + 8 * DAY + 1);
    expect(reopened.opened).toBe(1);
    const all = await alerts();
    expect(all.map((a) => [a.status, a.value])).toEqual([
      ["resolved", "2000"],
      ["open", "1500"],
    ]);
    expect(files()).toHaveLength(3); // opened, resolved, opened again
    const ids = await w.query<{ alert_id: string }>(stmt("SELECT alert_id FROM alerts"));
    expect(new Set(ids.map((r) => r.alert_id)).size).toBe(2);
  });

  it("a changed value updates the same alert and is exported again", async () => {
    await evaluate(NOW);
    await load([transfer({ ts: NOW + 1000, raw: 500_000_000n })]);
    const s = await evaluate(NOW + 2000);
    expect(s).toMatchObject({ opened: 0, changed: 1 });
    expect((await alerts()).map((a) => a.value)).toEqual(["2500"]);
    expect(files()).toHaveLength(2);
  });
});
