// The row-level rules behind completeness, each on a hand-built case: one row per movement whatever order
// its observations arrive in, Transfer events over call data, TRC10 ids, TRC721 ids, dropped transactions.
import { DAY_MS } from "../src/model/time.ts";
import { buildTransfer } from "./builders.ts";
import { describe, expect, it } from "vitest";
import { emptyBatch, type TransactionRow, type TransferRow } from "../src/model/rows.ts";
import { normalizeRecords } from "../src/normalize/index.ts";
import { transferId } from "../src/normalize/common.ts";
import { settlePending } from "../src/pipeline/settle-pending.ts";
import { internalTransferId } from "../src/normalize/internal.ts";
import { fastClient, memoryWarehouse, startEmulator } from "./helpers.ts";
import { stmt } from "./stmt.ts";

const W = "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF";
const P = "TU4vEruvZwLLkSfV9bNw12EJTPvNr7Pvaa";
const Q = "TWpqsYjAw7rFPmWeZcwKQanCS6Kk8f5dhT";
const USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
const T0 = Date.parse("2026-03-01T00:00:00Z");
const DAY = DAY_MS;
const TX = "ab".repeat(32);

const transfer = (over: Partial<TransferRow> = {}): TransferRow =>
  buildTransfer({
    transactionId: TX,
    block: 100,
    timestampMs: T0,
    toAddress: P,
    amountRaw: "5000000",
    confirmed: false,
    tokenLevel: "2",
    observedAtMs: T0 + 1000,
    ...over,
  });

describe("one row per movement", () => {
  it("a transaction re-included two days later is one row, moved to its new block and time, and its old day is rolled up again", async () => {
    const w = await memoryWarehouse();
    await w.load({ batch: { ...emptyBatch(), transfers: [transfer()] }, runId: "r" });
    await w.query(stmt("DELETE FROM activity_days"));
    const moved = transfer({
      block: 57_700,
      timestampMs: T0 + 2 * DAY,
      observedAtMs: T0 + 2 * DAY + 5000,
      confirmed: true,
    });
    const c = await w.load({ batch: { ...emptyBatch(), transfers: [moved] }, runId: "r" });
    expect(c.transfersNew).toBe(0);
    const rows = await w.query(
      stmt(
        "SELECT count(*)::INTEGER AS n, max(block)::INTEGER AS block, max(timestamp_ms)::VARCHAR AS ts FROM transfers",
      ),
    );
    expect(rows[0]).toEqual({ n: 1, block: 57_700, ts: String(T0 + 2 * DAY) });
    const tx = await w.query(stmt("SELECT count(*)::INTEGER AS n, max(timestamp_ms)::VARCHAR AS ts FROM transactions"));
    expect(tx[0]).toEqual({ n: 1, ts: String(T0 + 2 * DAY) });
    const days = (await w.query<{ d: bigint }>(stmt("SELECT day_ms AS d FROM activity_days ORDER BY 1"))).map((r) =>
      Number(r.d),
    );
    expect(days).toEqual([T0, T0 + 2 * DAY]); // the day it left and the day it arrived
    await w.close();
  });

  it("Transfer events are the truth: a fee-on-transfer call's decoded 100 is not stored beside the events' 98 + 2, whichever comes first", async () => {
    for (const order of ["events first", "call first"]) {
      const w = await memoryWarehouse();
      const call = transfer({
        transferId: transferId(TX, USDT, W, P, "100", 0),
        amountRaw: "100",
        amount: "0.0001",
        source: "transaction",
      });
      const events = [
        transfer({ transferId: transferId(TX, USDT, W, P, "98", 0), amountRaw: "98", amount: "0.000098" }),
        transfer({ transferId: transferId(TX, USDT, W, Q, "2", 0), toAddress: Q, amountRaw: "2", amount: "0.000002" }),
      ];
      const batches = order === "events first" ? [events, [call]] : [[call], events];
      for (const b of batches) await w.load({ batch: { ...emptyBatch(), transfers: b }, runId: "r" });
      const rows = await w.query<{ to_address: string; amount_raw: string }>(
        stmt("SELECT to_address, amount_raw FROM transfers ORDER BY amount_raw"),
      );
      expect(rows, order).toEqual([
        { to_address: Q, amount_raw: "2" },
        { to_address: P, amount_raw: "98" },
      ]);
      await w.close();
    }
  });

  it("a plain transfer call and its Transfer event are one row (same id), kept", async () => {
    const w = await memoryWarehouse();
    await w.load({ batch: { ...emptyBatch(), transfers: [transfer({ source: "transaction" })] }, runId: "r" });
    await w.load({ batch: { ...emptyBatch(), transfers: [transfer()] }, runId: "r" });
    expect(await w.query(stmt("SELECT amount_raw FROM transfers"))).toEqual([{ amount_raw: "5000000" }]);
    await w.close();
  });
});

describe("normalization of the edge cases", () => {
  const trc10Record = {
    hash: TX,
    block: 1,
    timestamp: T0,
    ownerAddress: W,
    toAddress: P,
    contractType: 2,
    confirmed: true,
    contractRet: "SUCCESS",
    contractData: { amount: 1500, asset_name: "BitTorrent", owner_address: W, to_address: P },
    tokenInfo: { tokenId: "1002000", tokenAbbr: "BTT", tokenName: "BitTorrent", tokenDecimal: 6 },
  };
  it("a TRC10 asset_name that is a name falls back to the record's token id (the transaction is not quarantined)", () => {
    const b = normalizeRecords({
      nowMs: Date.now(),
      endpoint: "transaction",
      records: [trc10Record],
      observedAtMs: T0,
    });
    expect(b.quarantined).toEqual([]);
    expect(b.transfers.map((t) => [t.tokenId, t.amountRaw, t.amount])).toEqual([["1002000", "1500", "0.0015"]]);
  });

  it("a TRC721 transfer carries the token id apart from its amount (1), and is never summed as volume", async () => {
    const rec = {
      transaction_id: TX,
      block_ts: T0,
      from_address: W,
      to_address: P,
      contract_address: "TCFLL5dx5ZJdKnWuesXxi1VPwjLVmWZZy9",
      quant: "771",
      event_type: "Transfer",
      confirmed: true,
      contractRet: "SUCCESS",
      finalResult: "SUCCESS",
      tokenInfo: {
        tokenId: "TCFLL5dx5ZJdKnWuesXxi1VPwjLVmWZZy9",
        tokenAbbr: "APENFT",
        tokenName: "Ape",
        tokenDecimal: 0,
        tokenType: "trc721",
      },
    };
    const b = normalizeRecords({
      nowMs: Date.now(),
      endpoint: "trc20",
      records: [rec, { ...rec, quant: "772" }],
      observedAtMs: T0,
    });
    expect(b.transfers.map((t) => [t.assetType, t.nftTokenId, t.amountRaw])).toEqual([
      ["trc721", "771", "1"],
      ["trc721", "772", "1"],
    ]);
    expect(new Set(b.transfers.map((t) => t.transferId)).size).toBe(2);
    const w = await memoryWarehouse();
    await w.setWallets([{ address: W }]);
    await w.load({ batch: b, runId: "r" });
    expect(
      await w.query(stmt("SELECT nft_token_id, amount_raw, amount_num FROM transfers ORDER BY nft_token_id")),
    ).toEqual([
      { nft_token_id: "771", amount_raw: "1", amount_num: null },
      { nft_token_id: "772", amount_raw: "1", amount_num: null },
    ]);
    const [m] = await w.query<{ v: unknown }>(
      stmt("SELECT volume_out_raw AS v FROM wallet_token_metrics WHERE wallet = ?", [W]),
    );
    expect(m.v).toBeNull();
    await w.close();
  });

  it("identical movements of one transaction get distinct ids from the transaction as a whole (0, 1), stable across reads", () => {
    const rec = {
      transaction_id: TX,
      block_ts: T0,
      from_address: W,
      to_address: P,
      contract_address: USDT,
      quant: "7",
      event_type: "Transfer",
    };
    const once = normalizeRecords({ nowMs: Date.now(), endpoint: "trc20", records: [rec, rec], observedAtMs: T0 });
    const again = normalizeRecords({ nowMs: Date.now(), endpoint: "trc20", records: [rec, rec], observedAtMs: T0 + 1 });
    expect(once.transfers.map((t) => t.transferId)).toEqual([
      transferId(TX, USDT, W, P, "7", 0),
      transferId(TX, USDT, W, P, "7", 1),
    ]);
    expect(again.transfers.map((t) => t.transferId)).toEqual(once.transfers.map((t) => t.transferId));
  });

  it("internal transactions: TRX paid by a contract is a transfer with the id of its internal hash; a rejected one moved nothing; a zero-value call is counted, not stored", () => {
    const base = {
      hash: TX,
      block: 9,
      timestamp: T0,
      from: Q,
      to: W,
      token_id: "_",
      confirmed: true,
      result: "SUCCESS",
    };
    const b = normalizeRecords({
      nowMs: Date.now(),
      endpoint: "internal",
      wallet: W,
      observedAtMs: T0,
      records: [
        { ...base, internal_hash: "c1".repeat(32), call_value: 2_500_000 },
        { ...base, internal_hash: "c2".repeat(32), call_value: "7", rejected: true },
        { ...base, internal_hash: "c3".repeat(32), call_value: 0 },
      ],
    });
    expect(b.transfers.map((t) => [t.transferId, t.amount, t.status, t.source])).toEqual([
      [internalTransferId("c1".repeat(32)), "2.5", "success", "internal"],
      [internalTransferId("c2".repeat(32)), "0.000007", "failed", "internal"],
    ]);
    expect(b.skipped).toBe(1);
    expect(b.observations!.map((o) => o.unitKind)).toEqual(["transfer", "transfer", "none"]);
  });
});

describe("pages of other shapes", () => {
  it("a wallet-family /api/transfer/trc20 page (hash, from, to, amount, block_timestamp, confirmed 0/1) reads as token transfers", async () => {
    const { recognisePage } = await import("../src/normalize/page.ts");
    const body = {
      code: 200,
      page_size: 1,
      data: [
        {
          amount: "249234600",
          block_timestamp: T0,
          block: 66037462,
          from: W,
          to: P,
          hash: TX,
          contract_address: USDT,
          confirmed: 1,
          revert: 0,
          contract_ret: "SUCCESS",
          final_result: "SUCCESS",
          event_type: "Transfer",
          decimals: 6,
          token_name: "TetherToken",
        },
      ],
    };
    const page = recognisePage(body);
    if ("error" in page) throw new Error(page.error);
    expect(page.endpoint).toBe("trc20");
    const b = normalizeRecords({
      nowMs: Date.now(),
      endpoint: page.endpoint,
      records: page.records,
      observedAtMs: T0 + 1,
    });
    expect(b.transfers.map((t) => [t.tokenId, t.tokenSymbol, t.amountRaw, t.amount, t.confirmed, t.status])).toEqual([
      [USDT, "USDT", "249234600", "249.2346", true, "success"],
    ]);
    expect(b.transfers[0].transferId).toBe(transferId(TX, USDT, W, P, "249234600", 0)); // the same id as the token-transfer list gives
  });

  it("an /api/internal-transaction envelope is recognised by its rows", async () => {
    const { recognisePage } = await import("../src/normalize/page.ts");
    const page = recognisePage({
      total: 1,
      rangeTotal: 1,
      data: [
        { hash: TX, internal_hash: "c1".repeat(32), timestamp: T0, from: Q, to: W, call_value: 10, token_id: "_" },
      ],
    });
    expect("error" in page ? page.error : page.endpoint).toBe("internal");
  });
});

describe("dropped transactions", () => {
  it("unconfirmed past pending_max_age_hours: looked up by hash; unknown to TronScan -> dropped (no longer counted), known and confirmed -> confirmed", async () => {
    const api = await startEmulator({ seed: 3, days: 2, nowMs: Date.parse("2026-10-01T12:00:00Z") });
    const w = await memoryWarehouse();
    try {
      await w.setWallets([{ address: W }]);
      const known = api.emu.history.txs.find(
        (t) => t.ts < api.emu.now() - 7 * 3_600_000 && t.moves.length && t.ret === "SUCCESS",
      )!;
      const gone = "ee".repeat(32);
      const tx = (hash: string, ts: number): TransactionRow => ({
        hash,
        block: null,
        timestampMs: ts,
        ownerAddress: W,
        toAddress: P,
        contractType: 1,
        contractTypeName: "TransferContract",
        status: "success",
        contractRet: "SUCCESS",
        confirmed: false,
        feeSun: null,
        raw: null,
        detail: 1,
        observedAtMs: ts,
      });
      await w.load({
        batch: {
          ...emptyBatch(),
          transactions: [tx(known.hash, known.ts), tx(gone, known.ts)],
          transfers: [transfer({ transactionId: gone, transferId: "f".repeat(40), timestampMs: known.ts })],
        },
        runId: "r",
      });
      const s = await settlePending({
        warehouse: w,
        client: fastClient(api.url),
        nowMs: api.emu.now(),
        pendingMaxAgeMs: 6 * 3_600_000,
      });
      expect(s).toEqual({ checked: 2, confirmed: 1, failed: 0, dropped: 1, pending: 0 });
      expect(await w.query(stmt("SELECT hash, status, confirmed FROM transactions ORDER BY hash"))).toEqual(
        [
          { hash: known.hash, status: "success", confirmed: true },
          { hash: gone, status: "dropped", confirmed: false },
        ].sort((a, b) => a.hash.localeCompare(b.hash)),
      );
      expect(await w.query(stmt("SELECT status FROM transfers"))).toEqual([{ status: "dropped" }]);
      // nothing left to settle, and a dropped transfer counts nowhere
      expect(
        (
          await settlePending({
            warehouse: w,
            client: fastClient(api.url),
            nowMs: api.emu.now(),
            pendingMaxAgeMs: 6 * 3_600_000,
          })
        ).checked,
      ).toBe(0);
      expect(
        await w.query(stmt("SELECT count(*)::INTEGER AS n FROM wallet_token_metrics WHERE wallet = ?", [W])),
      ).toEqual([{ n: 0 }]);
    } finally {
      await w.close();
      await api.close();
    }
  });
});
