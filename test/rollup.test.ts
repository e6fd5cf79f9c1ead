// The daily rollup gives the same rule values as a direct count over the base tables, at any time of day.
import { DAY_MS } from "../src/model/time.ts";
import { describe, expect, it } from "vitest";
import { syncAll } from "../src/pipeline/sync-all.ts";
import { silentLogger } from "../src/internal/logger.ts";
import { rulesSql } from "../src/rules/rule-query.ts";
import { refreshRollup } from "../src/warehouse/activity/rollup.ts";
import { ORIGINAL_WALLETS } from "../src/emulator/history.ts";
import { fastClient, memoryWarehouse, startEmulator, tempDir, testConfig } from "./helpers.ts";
import type { ThresholdRule } from "../src/model/alerts.ts";
import { stmt } from "./stmt.ts";

const USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
const DAY = DAY_MS;

describe("rule values from the rollup", () => {
  it("equal a direct computation over the base tables (counts and volumes, every direction, edges mid-day)", async () => {
    const api = await startEmulator({ seed: 21, days: 12, nowMs: Date.parse("2026-05-20T13:37:11Z") });
    const wallets = [ORIGINAL_WALLETS[1].address, ORIGINAL_WALLETS[3].address];
    const w = await memoryWarehouse();
    try {
      await syncAll({
        config: testConfig({ url: api.url, wallets, dir: tempDir() }),
        warehouse: w,
        client: fastClient(api.url),
        logger: silentLogger(),
        nowMs: api.emu.now(),
      });
      await refreshRollup(w);
      const rules: ThresholdRule[] = [];
      for (const direction of ["any", "in", "out"] as const) {
        for (const periodDays of [1, 3, 7]) {
          rules.push({
            name: `c${direction}${periodDays}`,
            kind: "count",
            periodDays,
            threshold: "0",
            tokenId: USDT,
            direction,
            wallets: null,
            enabled: true,
          });
          rules.push({
            name: `v${direction}${periodDays}`,
            kind: "volume",
            periodDays,
            threshold: "0",
            tokenId: USDT,
            direction,
            wallets: null,
            enabled: true,
          });
        }
      }
      rules.push({
        name: "one wallet",
        kind: "volume",
        periodDays: 5,
        threshold: "0",
        tokenId: "_",
        direction: "any",
        wallets: [wallets[0]],
        enabled: true,
      });
      for (const nowMs of [
        api.emu.now(),
        api.emu.now() - 5 * 3_600_000 - 123,
        Date.parse("2026-05-17T00:00:00Z"),
        Date.parse("2026-05-16T23:59:59.999Z"),
      ]) {
        const q = rulesSql(rules, nowMs);
        const got = new Map((await w.query<Record<string, string>>(q.query)).map((r) => [r.wallet, r]));
        for (const [i, r] of rules.entries()) {
          // the oracle: straight from wallet_activity, no rollup, no edges
          const dir = r.direction === "any" ? "" : `AND direction = '${r.direction}'`;
          const only = r.wallets ? `AND wallet = '${r.wallets[0]}'` : "";
          const sql =
            r.kind === "count"
              ? `SELECT wallet, CAST(count(DISTINCT transaction_id) AS VARCHAR) AS v FROM wallet_activity WHERE status = 'success' AND timestamp_ms > ${nowMs - r.periodDays * DAY} AND timestamp_ms <= ${nowMs} ${dir} ${only} GROUP BY wallet`
              : `SELECT wallet, CAST(sum(amount_num) AS VARCHAR) AS v FROM wallet_activity WHERE kind = 'transfer' AND status = 'success' AND token_id = '${r.tokenId}' AND direction IN ('in', 'out') AND length(amount_raw) <= 30 AND timestamp_ms > ${nowMs - r.periodDays * DAY} AND timestamp_ms <= ${nowMs} ${dir} ${only} GROUP BY wallet`;
          const expected = new Map(
            (await w.query<{ wallet: string; v: string }>(stmt(sql))).map((x) => [x.wallet, x.v]),
          );
          const actual = new Map<string, string>(
            [...got]
              .map(([wallet, row]): [string, string] => [wallet, row[`r${i}`]])
              .filter(([, v]) => v !== null && v !== "0"),
          );
          expect({ rule: r.name, now: new Date(nowMs).toISOString(), values: Object.fromEntries(actual) }).toEqual({
            rule: r.name,
            now: new Date(nowMs).toISOString(),
            values: Object.fromEntries([...expected].filter(([, v]) => v !== "0")),
          });
        }
      }
    } finally {
      await w.close();
      await api.close();
    }
  });
});
