// Exposure to listed addresses on hand-worked transfers: shares equal SQL written here, and an exposure rule opens
// an alert and resolves it when the address leaves the list.
import { beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load.ts";
import { DAY_MS } from "../src/model/time.ts";
import { emptyBatch, type TransferRow } from "../src/model/rows.ts";
import { evaluateRules } from "../src/rules/evaluate.ts";
import { rulesFromConfig, saveRules } from "../src/rules/alert-store.ts";
import { refreshRollup } from "../src/warehouse/activity/rollup.ts";
import { exposureShare, walletExposure } from "../src/warehouse/activity/exposure.ts";
import { importListVersion } from "../src/warehouse/risk-lists.ts";
import type { Warehouse } from "../src/warehouse/types.ts";
import { movement, PEER, USDT, W } from "./builders.ts";
import { closeAfterEach, memoryWarehouse, tempDir } from "./helpers.ts";
import { stmt } from "./stmt.ts";

const S1 = "TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre";
const S2 = "TEAqwfMhXLaomXhZ8KeMhx3njGmQEDnsUR";
const NOW = Date.parse("2026-03-10T12:00:00Z");
const usdt = (n: bigint) => n * 1_000_000n;

describe("exposure", () => {
  let w: Warehouse;
  beforeEach(async () => {
    w = closeAfterEach(await memoryWarehouse());
    await w.setWallets([{ address: W, label: null }]);
    const rows: TransferRow[] = [
      movement({ ts: NOW - 2 * DAY_MS, raw: usdt(100n), dir: "in", peer: S1 }),
      movement({ ts: NOW - 3 * DAY_MS, raw: usdt(300n), dir: "in", peer: PEER }),
      movement({ ts: NOW - 40 * DAY_MS, raw: usdt(600n), dir: "in", peer: S2 }),
      // paid out to a listed address: not inbound exposure
      movement({ ts: NOW - DAY_MS, raw: usdt(1000n), dir: "out", peer: S1 }),
      // a failed transfer moves nothing
      movement({ ts: NOW - DAY_MS, raw: usdt(5000n), dir: "in", peer: S1, status: "failed" }),
      movement({
        ts: NOW - DAY_MS,
        raw: 50_000_000n,
        dir: "in",
        peer: S1,
        assetType: "trx",
        tokenId: "_",
        tokenSymbol: "TRX",
        tokenName: "Tronix",
      }),
    ];
    await w.load({ batch: { ...emptyBatch(), transfers: rows }, runId: "t" });
    await list([S1, S2], 1);
  });
  const list = (addresses: string[], nowMs: number) =>
    importListVersion(w, {
      name: "ofac",
      kind: "sanctions",
      source: "test",
      retrievedAtMs: nowMs,
      nowMs,
      entries: addresses.map((address) => ({ address, category: "sanctions", note: null })),
    });

  it("shares per token over 30 days and all time, worked by hand and by SQL written here", async () => {
    const rows = await walletExposure(w, NOW, W);
    const usdtRow = rows.find((r) => r.token_id === USDT)!;
    // all time: 100 + 600 listed of 100 + 300 + 600 in; 30 days: 100 of 400
    expect(usdtRow).toMatchObject({
      share: "70.00",
      share_recent: "25.00",
      listed_transfers: 2,
      listed_transfers_recent: 1,
    });
    expect(rows.find((r) => r.token_id === "_")).toMatchObject({ share: "100.00", listed_transfers: 1 });
    const [sqlRow] = await w.query<{ listed: string; total: string }>(
      stmt(
        `SELECT CAST(sum(CASE WHEN from_address IN ('${S1}', '${S2}') THEN CAST(amount_raw AS DECIMAL(38,0)) END) AS VARCHAR) AS listed,
          CAST(sum(CAST(amount_raw AS DECIMAL(38,0))) AS VARCHAR) AS total
        FROM transfers WHERE to_address = '${W}' AND token_id = '${USDT}' AND status = 'success'`,
      ),
    );
    expect(usdtRow.share).toBe(exposureShare(sqlRow.listed, sqlRow.total));
    expect([sqlRow.listed, sqlRow.total]).toEqual(["700000000", "1000000000"]);
  });

  it("an exposure rule opens an alert above its share and resolves it when the address leaves the list", async () => {
    const config = parseConfig({
      wallets: [{ address: W }],
      rules: [{ name: "USDT exposure 30d", kind: "exposure", measure: "share", period_days: 30, threshold: "20" }],
    });
    const evaluate = async (nowMs: number) => {
      await refreshRollup(w);
      await saveRules(w, rulesFromConfig(config));
      return evaluateRules({ warehouse: w, nowMs, outDir: tempDir() });
    };
    expect(await evaluate(NOW)).toMatchObject({ opened: 1, resolved: 0 });
    const [alert] = await w.query<Record<string, unknown>>(
      stmt("SELECT rule_name, wallet, kind, status, value, threshold FROM alerts"),
    );
    expect(alert).toEqual({
      rule_name: "USDT exposure 30d",
      wallet: W,
      kind: "exposure_share",
      status: "open",
      value: "25.0000",
      threshold: "20",
    });
    expect(await evaluate(NOW + 1000)).toMatchObject({ opened: 0, resolved: 0 });
    await list([S2], 2);
    expect(await evaluate(NOW + 2000)).toMatchObject({ opened: 0, resolved: 1 });
  });
});
