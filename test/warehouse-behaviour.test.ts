// One behaviour suite for every warehouse engine: DuckDB always; Snowflake when SNOWFLAKE_ACCOUNT (and
// the other SNOWFLAKE_* settings) are set — otherwise its cases are reported as skipped, never as passed.
import { buildTransfer } from "./builders.ts";
import { describe, expect, it } from "vitest";
import { createDuckDbWarehouse } from "../src/warehouse/duckdb/index.ts";
import { createSnowflakeWarehouse } from "../src/warehouse/snowflake/index.ts";
import { connectSnowflake } from "../src/warehouse/open.ts";
import { parseConfig } from "../src/config/load.ts";
import { emptyBatch, type TransferRow } from "../src/model/rows.ts";
import { transferId } from "../src/normalize/common.ts";
import { loadAlerts, saveAlerts, saveRules } from "../src/rules/alert-store.ts";
import { evaluateRules } from "../src/rules/evaluate.ts";
import { refreshRollup } from "../src/warehouse/activity/rollup.ts";
import { detectAnomalies } from "../src/anomalies/detect.ts";
import { tempDir } from "./helpers.ts";
import type { Warehouse } from "../src/warehouse/types.ts";
import { stmt } from "./stmt.ts";

const W = "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF";
const USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
const T0 = Date.parse("2026-03-01T00:00:00Z");

const engines: { name: string; enabled: boolean; open: () => Promise<Warehouse> }[] = [
  {
    name: "duckdb",
    enabled: true,
    open: async () => {
      const w = await createDuckDbWarehouse({ path: ":memory:" });
      await w.migrate();
      return w;
    },
  },
  {
    name: "snowflake",
    enabled: !!process.env.SNOWFLAKE_ACCOUNT,
    open: async () => {
      const c = parseConfig({ wallets: [{ address: W }], warehouse: { kind: "snowflake" } });
      if (c.warehouse.kind !== "snowflake") throw new Error("kind");
      const { conn } = await connectSnowflake({ ...c.warehouse, query_tag: "tronmon-test" });
      const w = await createSnowflakeWarehouse({ connection: conn, queryTag: "tronmon-test" });
      await w.migrate();
      for (const t of ["transfers", "transactions", "sync_cursors", "alerts", "wallets", "activity_days"])
        await w.query(stmt(`DELETE FROM ${t}`));
      return w;
    },
  },
];

const rows = (n: number, amount = "1000000"): TransferRow[] =>
  Array.from({ length: n }, (_, i) =>
    buildTransfer({
      transactionId: (i + 1).toString(16).padStart(64, "0"),
      block: 1 + i,
      timestampMs: T0 + i * 60_000,
      amountRaw: amount,
      amount: "1",
      confirmed: i % 2 === 0,
      tokenLevel: "2",
      observedAtMs: T0 + 1e7,
    }),
  );

for (const e of engines) {
  describe.skipIf(!e.enabled)(`warehouse behaviour: ${e.name}`, () => {
    it("a row loaded again at another time leaves its old day in the rollups and wallet_history", async () => {
      const w = await e.open();
      try {
        await w.setWallets([{ address: W, label: null }]);
        const [row] = rows(1);
        await w.load({ batch: { ...emptyBatch(), transfers: [row] }, cursors: [], runId: "a" });
        await refreshRollup(w);
        // TronScan first said 2026-03-01, now (same transaction, same id) 2026-03-03 12:00
        const moved = { ...row, timestampMs: T0 + 2.5 * 86_400_000, observedAtMs: row.observedAtMs + 1 };
        await w.load({ batch: { ...emptyBatch(), transfers: [moved] }, cursors: [], runId: "b" });
        await refreshRollup(w);
        const days = await w.query<{ day_ms: string; tx: string }>(
          stmt("SELECT day_ms, tx_any AS tx FROM wallet_daily WHERE bucket = '*' ORDER BY day_ms"),
        );
        expect(days.map((d) => [Number(d.day_ms), Number(d.tx)])).toEqual([[T0 + 2 * 86_400_000, 1]]);
        const kept = await w.query<{ timestamp_ms: string }>(stmt("SELECT DISTINCT timestamp_ms FROM wallet_history")); // transfer and transaction
        expect(kept.map((k) => Number(k.timestamp_ms))).toEqual([T0 + 2.5 * 86_400_000]);
      } finally {
        await w.close();
      }
    });

    it("migrate is idempotent; a load and the same load again: rows once, the cursor moved with them", async () => {
      const w = await e.open();
      try {
        await w.migrate();
        const cursor = {
          wallet: W,
          endpoint: "trc20" as const,
          syncedToMs: T0 + 3_600_000,
          walkTopMs: null,
          walkLowMs: null,
          walkFloorMs: null,
          newestMs: T0 + 540_000,
        };
        const first = await w.load({ batch: { ...emptyBatch(), transfers: rows(10) }, cursors: [cursor], runId: "a" });
        expect(first.transfersNew).toBe(10);
        const again = await w.load({ batch: { ...emptyBatch(), transfers: rows(10) }, cursors: [cursor], runId: "b" });
        expect(again.transfersNew).toBe(0);
        expect(again.transfersUpdated).toBe(0);
        const [n] = await w.query<{ n: unknown }>(stmt("SELECT count(*) AS n FROM transfers"));
        expect(Number(n.n)).toBe(10);
        expect(await w.getCursor(W, "trc20")).toEqual(cursor);
        // a later observation confirms the unconfirmed rows (never the reverse)
        const confirmed = rows(10).map((r) => ({ ...r, confirmed: true, observedAtMs: T0 + 2e7 }));
        const c = await w.load({ batch: { ...emptyBatch(), transfers: confirmed }, runId: "c" });
        expect(c.transfersUpdated).toBe(5);
        const [u] = await w.query<{ n: unknown }>(stmt("SELECT count(*) AS n FROM transfers WHERE NOT confirmed"));
        expect(Number(u.n)).toBe(0);
      } finally {
        await w.close();
      }
    });

    it("rules: a count rule breached opens one alert, re-evaluation adds nothing, the condition clearing resolves it", async () => {
      const w = await e.open();
      try {
        await w.setWallets([{ address: W }]);
        await w.load({ batch: { ...emptyBatch(), transfers: rows(5) }, runId: "a" }); // 5 successful transactions in 5 minutes
        const rules = [
          {
            name: "more than 3 in 7 days",
            kind: "count" as const,
            periodDays: 7,
            threshold: "3",
            tokenId: USDT,
            direction: "any" as const,
            wallets: null,
            enabled: true,
          },
        ];
        await saveRules(w, rules);
        const now = T0 + 3_600_000;
        await refreshRollup(w);
        const first = await evaluateRules({ warehouse: w, nowMs: now, outDir: tempDir() });
        expect(first).toMatchObject({ breaches: 1, opened: 1 });
        expect((await loadAlerts(w, { status: "open" })).map((a) => [a.ruleName, a.wallet, a.value])).toEqual([
          ["more than 3 in 7 days", W, "5"],
        ]);
        expect(await evaluateRules({ warehouse: w, nowMs: now, outDir: tempDir() })).toMatchObject({
          opened: 0,
          changed: 0,
          resolved: 0,
        });
        const later = await evaluateRules({ warehouse: w, nowMs: T0 + 8 * 86_400_000, outDir: tempDir() }); // the window has moved past them
        expect(later).toMatchObject({ breaches: 0, resolved: 1 });
      } finally {
        await w.close();
      }
    });

    it("anomalies: a zero-value transfer from a lookalike of a real counterparty is found once; detecting again adds nothing", async () => {
      const w = await e.open();
      try {
        await w.setWallets([{ address: W }]);
        const real = "TKHCaaaaaaaaaaaaaaaaaaaaaaaaaayFtK",
          look = "TKHCbbbbbbbbbbbbbbbbbbbbbbbbbbyFtK";
        const [a, b] = rows(2);
        await w.load({
          batch: {
            ...emptyBatch(),
            transfers: [
              { ...a, toAddress: real },
              {
                ...b,
                fromAddress: look,
                toAddress: W,
                amountRaw: "0",
                amount: "0",
                transferId: transferId(b.transactionId, USDT, look, W, "0", 0),
              },
            ],
          },
          runId: "a",
        });
        const config = parseConfig({ wallets: [{ address: W }] });
        await refreshRollup(w);
        const first = await detectAnomalies({ warehouse: w, config, nowMs: T0 + 3_600_000, outDir: tempDir() });
        expect(first.found.address_poisoning).toBe(1);
        const again = await detectAnomalies({ warehouse: w, config, nowMs: T0 + 3_600_000, outDir: tempDir() });
        expect(Object.values(again.found).reduce((x, y) => x + y, 0)).toBe(0);
        const [n] = await w.query<{ n: unknown }>(
          stmt("SELECT count(*) AS n FROM anomalies WHERE anomaly_type = 'address_poisoning'"),
        );
        expect(Number(n.n)).toBe(1);
      } finally {
        await w.close();
      }
    });

    it("wallets, the run log and the alert lifecycle's storage", async () => {
      const w = await e.open();
      try {
        await w.setWallets([{ address: W, label: "Binance-Cold 4" }]);
        await w.recordRun({ runId: "r1", command: "run", startedAtMs: T0, status: "running" });
        await w.recordRun({
          runId: "r1",
          command: "run",
          startedAtMs: T0,
          endedAtMs: T0 + 5000,
          status: "success",
          counts: { requests: 3 },
        });
        const [run] = await w.query<Record<string, unknown>>(stmt("SELECT status FROM runs WHERE run_id = 'r1'"));
        expect(run.status).toBe("success");
        const alert = {
          alertId: "0123456789abcdef",
          ruleName: "r",
          wallet: W,
          kind: "count" as const,
          status: "open" as const,
          value: "101",
          threshold: "100",
          tokenId: null,
          tokenSymbol: null,
          direction: "any" as const,
          periodDays: 7,
          firstSeenMs: T0,
          lastSeenMs: T0,
          resolvedAtMs: null,
          note: null,
          actedBy: null,
          version: 1,
          exportedVersion: 0,
        };
        await w.transaction((q) => saveAlerts(q, w, [alert]));
        await w.transaction((q) =>
          saveAlerts(q, w, [{ ...alert, status: "resolved", resolvedAtMs: T0 + 1, version: 2 }]),
        );
        expect(await loadAlerts(w)).toEqual([{ ...alert, status: "resolved", resolvedAtMs: T0 + 1, version: 2 }]);
      } finally {
        await w.close();
      }
    });
  });
}
