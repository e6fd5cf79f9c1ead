// On the emulator's history every planted anomaly is found; what else fires is reported (false positives).
import { refreshRollup } from "../src/warehouse/activity/rollup.ts";
import { describe, expect, it } from "vitest";
import { syncAll } from "../src/pipeline/sync-all.ts";
import { detectAnomalies } from "../src/anomalies/detect.ts";
import { silentLogger } from "../src/internal/logger.ts";
import { ORIGINAL_WALLETS } from "../src/emulator/history.ts";
import { fastClient, memoryWarehouse, startEmulator, tempDir, testConfig } from "./helpers.ts";
import { stmt } from "./stmt.ts";
import { syncRiskLists } from "../src/risk/sync-lists.ts";
import { screenRisk } from "../src/risk/screen-risk.ts";

describe("detectors on the emulator's history", () => {
  it("find every planted anomaly", async () => {
    const api = await startEmulator({ seed: 7, days: 30, nowMs: Date.parse("2026-09-15T08:00:00Z") });
    const wallets = ORIGINAL_WALLETS.map((w) => w.address);
    const dir = tempDir();
    const config = testConfig({ url: api.url, wallets, dir });
    const w = await memoryWarehouse();
    try {
      await syncAll({
        config,
        warehouse: w,
        client: fastClient(api.url),
        logger: silentLogger(),
        nowMs: api.emu.now(),
      });
      await refreshRollup(w);
      // the shipped OFAC snapshot, then the screening: the planted sanctioned payer, takeover and unlimited approval
      await syncRiskLists(w, config, api.emu.now());
      await screenRisk(w, config, api.emu.now());
      await detectAnomalies({ warehouse: w, config, nowMs: api.emu.now(), outDir: dir });
      const found = await w.query<{ anomaly_type: string; wallet: string; transaction_id: string | null }>(
        stmt("SELECT anomaly_type, wallet, transaction_id FROM anomalies"),
      );
      const planted = api.emu.truth(wallets).planted;
      expect(
        planted.filter((p) =>
          ["address_poisoning", "large_transaction", "new_counterparty", "burst_activity"].includes(p.type),
        ),
      ).toHaveLength(4);
      const missing = planted.filter(
        (p) =>
          !found.some(
            (f) =>
              f.anomaly_type === p.type &&
              f.wallet === p.wallet &&
              (p.transactionId === null || f.transaction_id === p.transactionId),
          ),
      );
      expect(missing).toEqual([]);
      const plantedKeys = new Set(planted.map((p) => `${p.type}|${p.transactionId ?? p.wallet}`));
      const others: Record<string, number> = {};
      for (const f of found)
        if (!plantedKeys.has(`${f.anomaly_type}|${f.transaction_id ?? f.wallet}`))
          others[f.anomaly_type] = (others[f.anomaly_type] ?? 0) + 1;
      const total = await w.query<{ n: string }>(stmt("SELECT count(*) AS n FROM transfers"));
      console.log(
        `planted ${planted.length}, found ${found.length}; beyond the planted ones, on ${total[0].n} transfers:`,
        JSON.stringify(others),
      );
    } finally {
      await w.close();
      await api.close();
    }
  });
});
