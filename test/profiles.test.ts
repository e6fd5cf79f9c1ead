// Detector settings per wallet (profiles and overrides) and minimum amounts, on hand-worked cases.
import { refreshRollup } from "../src/warehouse/activity/rollup.ts";
import { beforeEach, describe, expect, it } from "vitest";
import { detectAnomalies } from "../src/anomalies/detect.ts";
import { settingsGroups, walletSettings } from "../src/anomalies/settings.ts";
import { parseConfig } from "../src/config/load.ts";
import { emptyBatch, type TransferRow } from "../src/model/rows.ts";
import type { Warehouse } from "../src/warehouse/types.ts";
import { movement, USDT, W } from "./builders.ts";
import { memoryWarehouse, tempDir } from "./helpers.ts";
import { stmt } from "./stmt.ts";

const W2 = "TWpqsYjAw7rFPmWeZcwKQanCS6Kk8f5dhT";
const W3 = "TFTWNgDBkQ5wQoP8RXpRznnHvAVV8x5jLu";
const NOW = Date.parse("2026-03-10T12:00:00Z");

describe("which setting wins", () => {
  const config = parseConfig({
    wallets: [
      { address: W, profile: "exchange", anomalies: { large_transaction: { sigmas: 4, min_amount: { [USDT]: "9" } } } },
      { address: W2, profile: "exchange" },
      { address: W3 },
    ],
    anomalies: { large_transaction: { sigmas: 3, min_amount: { [USDT]: "5", "1002000": "7" } } },
  });
  it("the wallet's own setting beats its profile, the profile beats the global one; min_amount merges by token", () => {
    expect(walletSettings(config, W).large_transaction).toEqual({
      sigmas: 4, // the wallet's
      min_sample: 10, // global default: neither the profile nor the wallet names it
      lookback_days: 30,
      min_amount: { [USDT]: "9", "1002000": "7", _: "1000000" }, // wallet, global, profile
    });
    expect(walletSettings(config, W2).large_transaction.sigmas).toBe(6); // the shipped exchange profile
    expect(walletSettings(config, W3).large_transaction.sigmas).toBe(3); // global
    expect(walletSettings(config, W2).new_counterparty.min_amount).toEqual({ [USDT]: "1000", _: "10000" });
    expect(walletSettings(config, W3).new_counterparty.min_amount).toEqual({});
    expect(walletSettings(config, W2).enabled).not.toContain("spam_token"); // the profile's list replaces the global one
    expect(walletSettings(config, W3).enabled).toContain("spam_token");
  });
  it("wallets with the same settings are scored together; a stored wallet missing from the config gets the global ones", () => {
    const other = "TKHCaaaaaaaaaaaaaaaaaaaaaaaaaayFtK";
    expect(settingsGroups(config, [other]).map((g) => g.wallets)).toEqual([[W], [W2], [W3, other]]);
  });
  it("a wallet naming an unknown profile is a config error that names it", () => {
    expect(() => parseConfig({ wallets: [{ address: W, profile: "exchnage" }] })).toThrow(
      /wallets\[0\]\.profile: "exchnage" is not a profile \(known: exchange, treasury, personal\)/,
    );
  });
  it("a profile lists only what it changes; lists replace lists", () => {
    const c = parseConfig({
      wallets: [{ address: W, profile: "quiet" }],
      anomalies: { profiles: { quiet: { enabled: ["address_poisoning"], burst_activity: { factor: 9 } } } },
    });
    const s = walletSettings(c, W);
    expect(s.enabled).toEqual(["address_poisoning"]);
    expect(s.burst_activity).toEqual({ factor: 9, min_count: 5 });
  });
});

describe("minimum amounts", () => {
  let w: Warehouse;
  const load = (rows: TransferRow[]) => w.load({ batch: { ...emptyBatch(), transfers: rows }, runId: "t" });
  beforeEach(async () => {
    w = await memoryWarehouse();
    await w.setWallets([{ address: W }]);
  });
  const detect = async (anomalies: Record<string, unknown>) => {
    await refreshRollup(w);
    return detectAnomalies({
      warehouse: w,
      config: parseConfig({ wallets: [{ address: W }], anomalies }),
      nowMs: NOW,
      outDir: tempDir(),
    });
  };
  const found = async (type: string) =>
    (
      await w.query<{ amount: string }>(
        stmt("SELECT amount FROM anomalies WHERE anomaly_type = ? ORDER BY amount", [type]),
      )
    ).map((r) => r.amount);

  it("new_counterparty: exactly the minimum is not a finding, one unit (0.000001 USDT) above is", async () => {
    await load([
      movement({ ts: NOW - 3000, raw: 10_000_000n, dir: "out", peer: "TAUN6FwrnwwmaEqYcckffC7wYmbaS6cBiX" }),
      movement({ ts: NOW - 2000, raw: 10_000_001n, dir: "out", peer: "TRkJgtWgbwmmBg3kB8hqM4YFXsL2sbQdBp" }),
      movement({ ts: NOW - 1000, raw: 9_999_999n, dir: "out", peer: "TSSMHYeV2uE9qYH95DqyoCuNCzEL1NvU3S" }),
    ]);
    await detect({ new_counterparty: { min_amount: { [USDT]: "10" } } });
    expect(await found("new_counterparty")).toEqual(["10.000001"]);
  });

  it("new_counterparty: direction in counts first deposits, not first payments", async () => {
    await load([
      movement({ ts: NOW - 3000, raw: 5_000_000n, dir: "out", peer: "TAUN6FwrnwwmaEqYcckffC7wYmbaS6cBiX" }),
      movement({ ts: NOW - 2000, raw: 7_000_000n, dir: "in", peer: "TRkJgtWgbwmmBg3kB8hqM4YFXsL2sbQdBp" }),
    ]);
    await detect({ new_counterparty: { direction: "in" } });
    expect(await found("new_counterparty")).toEqual(["7"]);
  });

  it("large_transaction: a transfer at the minimum is not scored even when it is far above the median", async () => {
    // 10 incoming 1 USDT over the days before: median 1, sd 0
    await load(Array.from({ length: 10 }, (_, i) => movement({ ts: NOW - (i + 1) * 86_400_000, raw: 1_000_000n })));
    await load([movement({ ts: NOW - 2000, raw: 50_000_000n }), movement({ ts: NOW - 1000, raw: 50_000_001n })]);
    await detect({ enabled: ["large_transaction"], large_transaction: { min_amount: { [USDT]: "50" } } });
    expect(await found("large_transaction")).toEqual(["50.000001"]);
  });
});
