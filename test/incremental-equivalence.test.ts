// The incremental paths give the answers of a full recomputation, on an emulator history that grows in cycles:
// anomalies scored cycle by cycle equal one full re-score of everything, and the dashboard's figures read from
// the daily rollups equal the same figures computed over the base tables, at any time of day.
import { describe, expect, it } from "vitest";
import { DAY_MS, HOUR_MS } from "../src/model/time.ts";
import { syncAll } from "../src/pipeline/sync-all.ts";
import { silentLogger } from "../src/internal/logger.ts";
import { refreshRollup } from "../src/warehouse/activity/rollup.ts";
import { detectAnomalies } from "../src/anomalies/detect.ts";
import { DETECTORS } from "../src/anomalies/detectors/index.ts";
import { ORIGINAL_WALLETS } from "../src/emulator/history.ts";
import {
  type ActivityFilter,
  charts,
  newestActivityMs,
  overview,
  walletActivityPage,
  walletPage,
} from "../src/dashboard/queries.ts";

const USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
import { closeAfterEach, fastClient, memoryWarehouse, startEmulator, tempDir, testConfig } from "./helpers.ts";
import { stmt } from "./stmt.ts";

const SCORED = DETECTORS.filter((d) => d.scoresNewTransfers)
  .map((d) => `'${d.type}'`)
  .join(", ");

describe("incremental paths against a full recomputation", () => {
  it("anomalies cycle by cycle equal one full re-score; rollup figures equal base-table figures", async () => {
    const api = closeAfterEach(await startEmulator({ seed: 33, days: 20, nowMs: Date.parse("2026-05-20T13:37:11Z") }));
    const wallets = ORIGINAL_WALLETS.slice(0, 4).map((x) => x.address);
    const dir = tempDir();
    const config = testConfig({ url: api.url, wallets, dir });
    const w = closeAfterEach(await memoryWarehouse());
    // cycles score their new rows by range join, or (every other one) by the window pass over their keys
    const cycle = async (windowFromRows?: number) => {
      const nowMs = api.emu.now();
      await syncAll({ config, warehouse: w, client: fastClient(api.url), logger: silentLogger(), nowMs });
      await refreshRollup(w);
      await detectAnomalies({ warehouse: w, config, nowMs, outDir: dir, windowFromRows });
    };
    await cycle();
    for (let i = 0; i < 6; i++) {
      api.emu.advance(7 * HOUR_MS + 13 * 60_000);
      await cycle(i % 2 === 0 ? 0 : undefined);
    }
    const ids = async () =>
      (
        await w.query<{ id: string }>(
          stmt(
            `SELECT anomaly_type || ' ' || anomaly_id AS id FROM anomalies WHERE anomaly_type IN (${SCORED}) ORDER BY 1`,
          ),
        )
      ).map((r) => r.id);
    const incremental = await ids();
    // every detector that scores transfers found something: the comparison is not between two empty sets
    const types = new Set(incremental.map((id) => id.split(" ")[0]));
    expect([...types].sort()).toEqual(expect.arrayContaining(["large_transaction", "new_counterparty"]));

    // the history large_transaction reads is exactly the watched wallets' successful in/out amounts
    const fromBase = `SELECT w.address AS wallet, t.transfer_id, CASE WHEN t.from_address = w.address THEN 'out' ELSE 'in' END AS dir,
        t.token_id, t.timestamp_ms, t.amount_num FROM transfers t JOIN wallets w ON w.address IN (t.from_address, t.to_address)
      WHERE t.status = 'success' AND t.amount_num IS NOT NULL AND t.from_address <> t.to_address`;
    const kept = `SELECT wallet, transfer_id, direction, token_id, timestamp_ms, amount_num FROM wallet_history
      WHERE status = 'success' AND is_transfer = 1 AND direction IN ('in', 'out') AND amount_num IS NOT NULL`;
    const [diff] = await w.query<{ missing: string; extra: string; n: string }>(
      stmt(`SELECT (SELECT count(*) FROM (${fromBase} EXCEPT ${kept})) AS missing,
        (SELECT count(*) FROM (${kept} EXCEPT ${fromBase})) AS extra, (SELECT count(*) FROM wallet_history) AS n`),
    );
    expect(diff).toEqual({ missing: "0", extra: "0", n: expect.any(String) });
    expect(Number(diff.n)).toBeGreaterThan(100);

    for (const table of ["anomalies", "detector_state", "counterparties", "counterparty_wallets"])
      await w.query(stmt(`DELETE FROM ${table}`));
    await detectAnomalies({ warehouse: w, config, nowMs: api.emu.now(), outDir: dir, windowFromRows: 0 });
    expect(await ids()).toEqual(incremental);

    // a wallet's activity pages: every kind, sort and filter the page offers, from wallet_history and from the base
    const pages: ActivityFilter[] = [
      { sort: "time", order: "desc", page: 1, pageSize: 50 },
      { sort: "amount", order: "desc", page: 2, pageSize: 25, kind: "transfer", direction: "in" },
      { sort: "token", order: "asc", page: 1, pageSize: 100, status: "failed" },
      { sort: "status", order: "asc", page: 1, pageSize: 100, kind: "transaction" },
      {
        sort: "time",
        order: "asc",
        page: 1,
        pageSize: 30,
        token: USDT,
        minRaw: "1000000",
        from: api.emu.now() - 5 * DAY_MS,
      },
      { sort: "time", order: "desc", page: 99, pageSize: 50 },
    ];
    let shown = 0;
    for (const wallet of wallets)
      for (const f of pages) {
        const page = await walletActivityPage(w, wallet, f);
        expect(page).toEqual(await walletActivityPage(w, wallet, f, true));
        shown += page.rows.length;
      }
    expect(shown).toBeGreaterThan(300);

    // the dashboard: rollup reads against base-table reads, now and at awkward times of day
    const [newest] = await w.query<{ ms: string }>(stmt("SELECT max(timestamp_ms) AS ms FROM wallet_activity"));
    expect(await newestActivityMs(w)).toBe(Number(newest.ms));
    const end = api.emu.now();
    const times = [end, end - 5 * HOUR_MS - 123, Math.floor(end / DAY_MS) * DAY_MS, end - 3 * DAY_MS - 1];
    for (const nowMs of times) {
      const [o, oBase] = [await overview(w, nowMs), await overview(w, nowMs, true)];
      expect(o).toEqual(oBase);
      const [c, cBase] = [await charts(w, nowMs), await charts(w, nowMs, true)];
      expect(c).toEqual(cBase);
      for (const wallet of wallets)
        expect(await walletPage(w, wallet, nowMs)).toEqual(await walletPage(w, wallet, nowMs, true));
      if (nowMs === end) {
        expect(o.tx_7d).toBeGreaterThan(20);
        expect(c.daily_30d.length).toBeGreaterThan(15);
        expect(c.top_usdt_30d.length).toBeGreaterThan(0);
      }
    }
  }, 120_000);
});
