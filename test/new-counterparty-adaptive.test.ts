// new_counterparty adapts to the wallet, on hand-worked histories: where most payments go to new addresses (a hot
// wallet), a new payee of the usual size is not news but one twenty times the usual is; where payments go to known
// addresses, any new payee is.
import { describe, expect, it } from "vitest";
import { detectAnomalies } from "../src/anomalies/detect.ts";
import { parseConfig } from "../src/config/load.ts";
import { DAY_MS } from "../src/model/time.ts";
import { emptyBatch } from "../src/model/rows.ts";
import { refreshRollup } from "../src/warehouse/activity/rollup.ts";
import { movement } from "./builders.ts";
import { closeAfterEach, memoryWarehouse, tempDir } from "./helpers.ts";
import { stmt } from "./stmt.ts";

const HOT = "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF";
const TREASURY = "TU4vEruvZwLLkSfV9bNw12EJTPvNr7Pvaa";
const SUPPLIER = "TWpqsYjAw7rFPmWeZcwKQanCS6Kk8f5dhT";
const NOW = Date.parse("2026-03-20T12:00:00Z");
const usdt = (n: number) => BigInt(n) * 1_000_000n;
// addresses only go through the warehouse here: they need not be valid base58check
const payee = (i: number) => `TPayee${String(i).padStart(28, "0")}`;

describe("new_counterparty adapts to the wallet", () => {
  it("a hot wallet's usual new payees are quiet, an outsized first payment is found; a treasury's new payee is found", async () => {
    const w = closeAfterEach(await memoryWarehouse());
    await w.setWallets([
      { address: HOT, label: null },
      { address: TREASURY, label: null },
    ]);
    const history = Array.from({ length: 60 }, (_, i) => {
      const ts = NOW - 10 * DAY_MS + i * 3_600_000;
      return [
        // the hot wallet: 100 USDT to a new address each time (new addresses: 100% of its transactions)
        movement({ ts, raw: usdt(100), dir: "out", peer: payee(i), wallet: HOT }),
        // the treasury: 100 USDT to the same supplier each time
        movement({ ts, raw: usdt(100), dir: "out", peer: SUPPLIER, wallet: TREASURY }),
      ];
    }).flat();
    const config = parseConfig({ wallets: [{ address: HOT }, { address: TREASURY }] });
    const detect = async (nowMs: number) => {
      await refreshRollup(w);
      return detectAnomalies({ warehouse: w, config, nowMs, outDir: tempDir() });
    };
    await w.load({ batch: { ...emptyBatch(), transfers: history }, runId: "h" });
    await detect(NOW - DAY_MS);
    await w.query(stmt("DELETE FROM anomalies"));
    const usual = movement({ ts: NOW, raw: usdt(150), dir: "out", peer: payee(100), wallet: HOT });
    // 5,000 USDT: the hot wallet's average transfer over 30 days is (60 x 100 + 150 + 5000) / 62 = 180.6 USDT, and
    // 5000 > 10 x 180.6
    const outsized = movement({ ts: NOW + 1000, raw: usdt(5000), dir: "out", peer: payee(101), wallet: HOT });
    const treasuryNew = movement({ ts: NOW + 2000, raw: usdt(150), dir: "out", peer: payee(102), wallet: TREASURY });
    await w.load({ batch: { ...emptyBatch(), transfers: [usual, outsized, treasuryNew] }, runId: "n" });
    await detect(NOW + DAY_MS);
    const found = await w.query<{ wallet: string; transfer_id: string; reason: string }>(
      stmt(
        "SELECT wallet, transfer_id, reason FROM anomalies WHERE anomaly_type = 'new_counterparty' ORDER BY occurred_at_ms",
      ),
    );
    expect(found.map((f) => f.transfer_id)).toEqual([outsized.transferId, treasuryNew.transferId]);
    expect(found[0].reason).toMatch(
      /new addresses are routine for it \(\d+% of its \d+ transactions over 30 days\), but this is over 10 × its average USDT transfer\.$/,
    );
    expect(found[1].reason).toBe(
      `Sent 150 USDT to ${payee(102)}, an address this wallet never sent to or received from before.`,
    );
  });
});
