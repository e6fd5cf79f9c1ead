// Detectors on hand-built transfers, including the cases that must not fire.
import { refreshRollup } from "../src/warehouse/activity/rollup.ts";
import { DAY_MS } from "../src/model/time.ts";
import { movement } from "./builders.ts";
import { beforeEach, describe, expect, it } from "vitest";
import { detectAnomalies } from "../src/anomalies/detect.ts";
import { parseConfig } from "../src/config/load.ts";
import { emptyBatch, type TransferRow } from "../src/model/rows.ts";
import { memoryWarehouse, tempDir } from "./helpers.ts";
import type { Warehouse } from "../src/warehouse/types.ts";
import { stmt } from "./stmt.ts";

const W = "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF";
const USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
const FAKE = "TJCDneQevgfGFkU1rpCxVofksbeiGLhMCi";
const NOW = Date.parse("2026-03-10T12:00:00Z");
const DAY = DAY_MS;
// lookalikes need not be valid base58check here: they only go through the warehouse
const REAL = "TKHCaaaaaaaaaaaaaaaaaaaaaaaaaayFtK";
const LOOK = "TKHCbbbbbbbbbbbbbbbbbbbbbbbbbbyFtK";

function t(o: {
  ts: number;
  raw: bigint;
  dir?: "in" | "out";
  peer?: string;
  token?: string;
  symbol?: string;
  name?: string;
  decimals?: number;
  status?: "success" | "failed";
  level?: string | null;
  risk?: boolean;
  asset?: TransferRow["assetType"];
}): TransferRow {
  return movement({
    ts: o.ts,
    raw: o.raw,
    dir: o.dir,
    peer: o.peer,
    tokenId: o.token ?? USDT,
    tokenSymbol: o.symbol ?? "USDT",
    tokenName: o.name ?? "Tether USD",
    tokenDecimals: o.decimals ?? 6,
    status: o.status ?? "success",
    contractRet: "SUCCESS",
    tokenLevel: o.level ?? null,
    risk: o.risk ?? false,
    assetType: o.asset ?? "trc20",
  });
}

let w: Warehouse;
const config = parseConfig({ wallets: [{ address: W }] });
const load = (rows: TransferRow[]) => w.load({ batch: { ...emptyBatch(), transfers: rows }, runId: "t" });
const detect = async (nowMs = NOW, windowFromRows?: number) => {
  await refreshRollup(w);
  return detectAnomalies({ warehouse: w, config, nowMs, outDir: tempDir(), windowFromRows });
};
const found = async (type: string) =>
  w.query<Record<string, string>>(
    stmt(
      `SELECT wallet, transaction_id, amount, reason, severity, CAST(occurred_at_ms AS VARCHAR) AS occurred_at_ms
      FROM anomalies WHERE anomaly_type = ? ORDER BY amount`,
      [type],
    ),
  );

beforeEach(async () => {
  w = await memoryWarehouse();
  await w.setWallets([{ address: W }]);
});

describe("large_transaction", () => {
  it.each([
    ["a range join (few new rows)", undefined],
    ["a window pass (many new rows)", 0],
  ])(
    "fires above median + 3 sd of the same wallet, token and direction over 30 days; not for another token or a thin history, as %s",
    async (_how, windowFromRows) => {
      // 10 incoming 100 USDT over the 20 days before: median 100, sd 0 -> anything above 100 USDT is large
      await load(Array.from({ length: 10 }, (_, i) => t({ ts: NOW - (i + 1) * 2 * DAY, raw: 100_000_000n })));
      // 9 incoming 5 TRX: thinner history than the minimum sample of 10
      await load(
        Array.from({ length: 9 }, (_, i) =>
          t({ ts: NOW - (i + 1) * DAY, raw: 5_000_000n, token: "_", symbol: "TRX", name: "Tronix", asset: "trx" }),
        ),
      );
      await load([
        t({ ts: NOW, raw: 1_000_000_000n }), // 1000 USDT: large
        t({ ts: NOW, raw: 900_000_000n, dir: "out" }), // 900 USDT out: no outgoing history -> not large
        t({ ts: NOW, raw: 500_000_000n, token: "_", symbol: "TRX", name: "Tronix", asset: "trx" }), // 500 TRX: only 9 before
        t({ ts: NOW, raw: 9_000_000_000n, status: "failed" }), // failed: never an anomaly
      ]);
      await detect(NOW, windowFromRows);
      const rows = await found("large_transaction");
      expect(rows.map((r) => r.amount)).toEqual(["1000"]);
      expect(rows[0].reason).toBe(
        "Received 1000 USDT, above median 100 + 3 × standard deviation 0 = 100 USDT of this wallet's 10 incoming USDT transfers in the 30 days before.",
      );
    },
  );
});

describe("new_counterparty", () => {
  it("fires on the first outgoing transfer to an address; not to one that sent to the wallet 40 days ago, nor one only seen in spam", async () => {
    await load([
      t({ ts: NOW - 40 * DAY, raw: 5_000_000n, peer: "TWpqsYjAw7rFPmWeZcwKQanCS6Kk8f5dhT" }),
      t({
        ts: NOW - 10 * DAY,
        raw: 5_000_000n,
        peer: "TFTWNgDBkQ5wQoP8RXpRznnHvAVV8x5jLu",
        token: FAKE,
        symbol: "USDT",
      }), // spam: does not make a known counterparty
    ]);
    await detect();
    await load([
      t({ ts: NOW, raw: 7_000_000n, dir: "out", peer: "TWpqsYjAw7rFPmWeZcwKQanCS6Kk8f5dhT" }), // known for 40 days
      t({ ts: NOW, raw: 8_000_000n, dir: "out", peer: "TFTWNgDBkQ5wQoP8RXpRznnHvAVV8x5jLu" }), // only spam before: new
    ]);
    await detect();
    const rows = await found("new_counterparty");
    expect(rows.map((r) => r.amount)).toEqual(["8"]);
    expect(rows[0].reason).toBe(
      "Sent 8 USDT to TFTWNgDBkQ5wQoP8RXpRznnHvAVV8x5jLu, an address this wallet never sent to or received from before.",
    );
  });
});

describe("counterparties kept across cycles", () => {
  it("a wallet added later brings its stored history: its old counterparty is not new, a lookalike of it is poisoning", async () => {
    const W2 = "TWpqsYjAw7rFPmWeZcwKQanCS6Kk8f5dhT";
    // W2 (not watched yet) sent 5 USDT to W 40 days ago; W's detection scores it
    await load([t({ ts: NOW - 40 * DAY, raw: 5_000_000n, peer: W2 })]);
    await detect(NOW - 39 * DAY);
    await w.setWallets([{ address: W }, { address: W2 }]);
    const fromW2 = (ts: number, to: string, raw: bigint): TransferRow => ({
      ...t({ ts, raw, dir: "out", peer: to }),
      fromAddress: W2,
      txOwner: W2,
    });
    const lookalikeOfW = "TNPdbbbbbbbbbbbbbbbbbbbbbbbbbbeHAF";
    await load([
      fromW2(NOW, W, 1_000_000n), // W2 -> W: known to W2 for 40 days (from the transfer stored before W2 was watched)
      fromW2(NOW, "TFTWNgDBkQ5wQoP8RXpRznnHvAVV8x5jLu", 2_000_000n), // W2 -> someone new
      { ...t({ ts: NOW, raw: 0n, peer: lookalikeOfW }), toAddress: W2 }, // zero-value from a lookalike of W, to W2
    ]);
    await detect();
    expect((await found("new_counterparty")).map((r) => [r.wallet, r.amount])).toEqual([[W2, "2"]]);
    expect((await found("address_poisoning")).map((r) => r.wallet)).toEqual([W2]);
  });
});

describe("address_poisoning", () => {
  it("flags a zero-value transfer from a lookalike of a real counterparty and names it; not when the lookalike is itself known", async () => {
    await load([t({ ts: NOW - DAY, raw: 2_500_000_000n, dir: "out", peer: REAL })]);
    await load([t({ ts: NOW, raw: 0n, peer: LOOK })]);
    await detect();
    const rows = await found("address_poisoning");
    expect(rows).toHaveLength(1);
    expect(rows[0].reason).toContain(
      `from ${LOOK}, which imitates ${REAL}, a real counterparty of this wallet (same first 4 and last 4 characters)`,
    );

    const w2 = await memoryWarehouse();
    await w2.setWallets([{ address: W }]);
    w = w2;
    await load([
      t({ ts: NOW - 2 * DAY, raw: 2_500_000_000n, dir: "out", peer: REAL }),
      t({ ts: NOW - DAY, raw: 3_000_000_000n, dir: "out", peer: LOOK }),
    ]);
    await load([t({ ts: NOW, raw: 0n, peer: LOOK })]);
    await detect();
    // the dust from LOOK is no bait (W already paid LOOK); but that payment itself went to an address imitating
    // REAL that W had never paid: the poisoning worked, and that is critical
    const paid = await found("address_poisoning");
    expect(paid.map((r) => [r.amount, r.severity, r.occurred_at_ms])).toEqual([
      ["3000", "critical", String(NOW - DAY)],
    ]);
    expect(paid[0].reason).toContain(`Sent 3000 USDT to ${LOOK}, which imitates ${REAL}`);
  });
});

describe("fake_token and spam_token", () => {
  it("a token calling itself USDT on another contract is fake (and spam); the real USDT is neither; a level-4 TRC10 airdrop is spam", async () => {
    await load([
      t({ ts: NOW, raw: 1_000_000n, token: FAKE, symbol: "USDT", name: "Tether USD" }),
      t({ ts: NOW, raw: 2_000_000n }), // the real USDT
      t({
        ts: NOW,
        raw: 300n,
        token: "1005141",
        symbol: "tron.ink",
        name: "tron.ink",
        decimals: 0,
        level: "4",
        risk: true,
        asset: "trc10",
      }),
    ]);
    await detect();
    expect((await found("fake_token")).map((r) => r.reason)).toEqual([
      `Token "USDT" ("Tether USD") at ${FAKE} imitates USDT but is not the real one (${USDT}); received 1.`,
    ]);
    expect((await found("spam_token")).map((r) => r.amount)).toEqual(["1", "300"]);
  });
});

describe("burst_activity and idempotency", () => {
  it("one anomaly per burst; detecting twice adds nothing; a crash mid-detection is completed by the next run", async () => {
    // 7 days before the last 24 h: 7 transactions (1 a day); last 24 h: 6 > 2 x 1
    await load(Array.from({ length: 7 }, (_, i) => t({ ts: NOW - DAY - (i + 0.5) * DAY, raw: 1_000_000n })));
    await load(Array.from({ length: 6 }, (_, i) => t({ ts: NOW - (i + 1) * 3_600_000, raw: 1_000_000n })));
    const realTransaction = w.transaction.bind(w);
    w.transaction = async () => {
      throw new Error("crash");
    };
    await expect(detect()).rejects.toThrow("crash");
    w.transaction = realTransaction;
    expect(await w.query(stmt("SELECT * FROM anomalies"))).toEqual([]);
    const first = await detect();
    expect(first.found.burst_activity).toBe(1);
    const reason = (await found("burst_activity"))[0].reason;
    expect(reason).toBe(
      "6 transactions in the 24 hours before 2026-03-10T12:00:00Z, more than 2 × the daily average of 1.0 over the 7 days before.",
    );
    const before = (await w.query(stmt("SELECT count(*) AS n FROM anomalies")))[0];
    await detect(NOW + 3_600_000);
    expect((await w.query(stmt("SELECT count(*) AS n FROM anomalies")))[0]).toEqual(before);
  });
});
