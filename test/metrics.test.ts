// Metrics on the recorded pages at a fixed time, against values worked out from the files by hand.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { importPaths } from "../src/pipeline/import.ts";
import { silentLogger } from "../src/internal/logger.ts";
import { walletMetricsSql, walletTokenMetricsSql } from "../src/warehouse/activity/metrics-sql.ts";
import { ORIGINAL_WALLETS } from "../src/emulator/history.ts";
import { FIXTURES, memoryWarehouse, tempDir } from "./helpers.ts";
import type { Warehouse } from "../src/warehouse/types.ts";
import { stmt } from "./stmt.ts";
import { raw } from "../src/warehouse/sql.ts";

const NOW = String(Date.parse("2025-10-06T00:00:00Z"));
const HTX = "TFTWNgDBkQ5wQoP8RXpRznnHvAVV8x5jLu";
const BITPANDA = "TWpqsYjAw7rFPmWeZcwKQanCS6Kk8f5dhT";
const BINANCE = "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF";
const USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";

describe("metrics of the recorded pages at 2025-10-06T00:00:00Z", () => {
  let w: Warehouse;
  beforeAll(async () => {
    w = await memoryWarehouse();
    await w.setWallets(ORIGINAL_WALLETS.map((x) => ({ address: x.address, label: x.label })));
    await importPaths({
      paths: [join(FIXTURES, "seed-pages"), join(FIXTURES, "endpoints")],
      warehouse: w,
      logger: silentLogger(),
      outDir: tempDir(),
      structured: false,
    });
  });

  it("wallet_metrics: the original columns", async () => {
    const rows = await w.query<Record<string, string | number | null>>(
      stmt(
        `SELECT observed_wallet, total_tx, failed_tx, distinct_tokens, last_tx_ms, minutes_since_last_tx FROM (${walletMetricsSql(raw(NOW)).text}) m ORDER BY observed_wallet`,
      ),
    );
    const by = Object.fromEntries(rows.map((r) => [r.observed_wallet, r]));
    // HTX-4: 50 records, all SUCCESS; TRX and USDT; newest 2025-10-05T20:49:30Z = 190 minutes before
    expect(by[HTX]).toEqual({
      observed_wallet: HTX,
      total_tx: "50",
      failed_tx: "0",
      distinct_tokens: "2",
      last_tx_ms: "1759697370000",
      minutes_since_last_tx: "190",
    });
    // BitPanda: 9 TRX deposits + 1 reward withdrawal; newest 2025-10-03T15:36:15Z = 3383.75 minutes before
    expect(by[BITPANDA]).toMatchObject({ total_tx: "10", distinct_tokens: "1", minutes_since_last_tx: "3383" });
    // Binance-Cold 4: 50 undelegations, no token moved
    expect(by[BINANCE]).toMatchObject({ total_tx: "50", distinct_tokens: "0" });
  });

  it("wallet_token_metrics: exact volumes per token, never mixed", async () => {
    const rows = await w.query<Record<string, string | null>>(
      stmt(
        `SELECT * FROM (${walletTokenMetricsSql(raw(NOW)).text}) m WHERE wallet IN (?, ?) ORDER BY wallet, token_id`,
        [HTX, BITPANDA],
      ),
    );
    const get = (wallet: string, token: string) => rows.find((r) => r.wallet === wallet && r.token_id === token)!;
    expect(get(HTX, USDT)).toMatchObject({
      transfers: "43",
      volume_in_raw: null,
      volume_out_raw: "23677848650",
      largest_raw: "5998000000",
      counterparties: "43",
      transfers_7d: "43",
      volume_out_raw_7d: "23677848650",
      token_symbol: "USDT",
    });
    // 7 TRX transfers: 2303.331913 TRX out, 1000.00001 TRX in (from TVFsC7…)
    expect(get(HTX, "_")).toMatchObject({ transfers: "7", volume_out_raw: "2303331913", volume_in_raw: "1000000010" });
    // BitPanda: 9 deposits from 9 senders, 10333128.214515 TRX; all within 7 days of the evaluation
    expect(get(BITPANDA, "_")).toMatchObject({
      transfers: "9",
      transfers_7d: "9",
      volume_in_raw: "10333128214515",
      counterparties: "9",
      volume_out_raw: null,
    });
  });
});
