// Node blocks -> rows, on real recorded blocks (test/fixtures/trongrid): only watched wallets' transactions, exact
// amounts, and the ids the TronScan path gives the same movement. Expected values worked out from the records by
// hand (addresses base58check-encoded outside the code under test).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blockHeader, normalizeBlock } from "../src/normalize/block.ts";
import { normalizeRecords } from "../src/normalize/index.ts";
import { builtinTokens } from "../src/normalize/common.ts";
import { ROOT } from "./helpers.ts";

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(ROOT, "test/fixtures/trongrid", `${name}.json`), "utf8")) as Record<string, unknown>;
const ctx = (watched: string[], confirmed = true) => ({
  watched: new Set(watched),
  observedAtMs: Date.parse("2026-01-01T00:00:00Z"),
  confirmed,
  tokens: builtinTokens,
});

const USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
// block 60836289, tx 661f1df8…: TP4MZM8… calls USDT transfer(TW3NSuh…, 2,384.950100); its info's Transfer event says the
// same (topics 8f92db97… -> dc2c107c…, data 0x8e277354 = 2384950100)
const TX = "661f1df88ce02b746efe7449c3c7a04d6d21a7fc019723c92679228d8275ad57";
const SENDER = "TP4MZM8iDVEfRbtbvcidqVQBt4SQ9Pfi8R";
const RECIPIENT = "TW3NSuhT68vXKdamU7Rkq6sfEVCFwoDfGb";

describe("node blocks", () => {
  it("a watched recipient of a USDT transfer: one transaction, one transfer from the Transfer event, exact", () => {
    const out = normalizeBlock(fixture("getblockbynum_1"), [fixture("gettransactioninfobyid_1")], ctx([RECIPIENT]));
    expect(out.quarantined).toEqual([]);
    expect(out.transactions).toHaveLength(1);
    expect(out.transactions[0]).toMatchObject({
      hash: TX,
      block: 60836289,
      timestampMs: 1713150507000,
      ownerAddress: SENDER,
      toAddress: USDT,
      contractType: 31,
      contractTypeName: "TriggerSmartContract",
      status: "success",
      feeSun: "27600900",
      confirmed: true,
      detail: 1,
    });
    expect(out.transfers).toHaveLength(1);
    expect(out.transfers[0]).toMatchObject({
      // sha256("661f…|TR7NH…|TP4MZM8…|TW3NSuh…|2384950100|0"), first 40 hex
      transferId: "b391ae9b193cda04fd7a766c6f6704379ab67ad3",
      transactionId: TX,
      fromAddress: SENDER,
      toAddress: RECIPIENT,
      assetType: "trc20",
      tokenId: USDT,
      tokenSymbol: "USDT",
      amountRaw: "2384950100",
      amount: "2384.9501",
      status: "success",
      source: "trc20",
    });
  });

  it("the same movement through TronScan's token_trc20/transfers record has the same id: one row", () => {
    const fromBlock = normalizeBlock(fixture("getblockbynum_1"), [fixture("gettransactioninfobyid_1")], ctx([SENDER]));
    // TronScan's shape of the same transfer (field names of test/fixtures/tronscan/endpoints/token_trc20_transfers_1.json)
    const tronscan = normalizeRecords({
      nowMs: Date.now(),
      endpoint: "trc20",
      observedAtMs: 1,
      records: [
        {
          transaction_id: TX,
          status: 0,
          block_ts: 1713150507000,
          from_address: SENDER,
          to_address: RECIPIENT,
          block: 60836289,
          contract_address: USDT,
          quant: "2384950100",
          event_type: "Transfer",
          confirmed: true,
          contractRet: "SUCCESS",
          finalResult: "SUCCESS",
          tokenInfo: { tokenId: USDT, tokenAbbr: "USDT", tokenName: "Tether USD", tokenDecimal: 6, tokenType: "trc20" },
        },
      ],
    });
    expect(tronscan.transfers.map((t) => t.transferId)).toEqual(fromBlock.transfers.map((t) => t.transferId));
  });

  it("nothing of a block whose transactions touch no watched wallet; the header is read", () => {
    const block = fixture("getblockbynum_1");
    const out = normalizeBlock(block, [], ctx(["TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF"]));
    expect([out.transactions.length, out.transfers.length, out.quarantined.length]).toEqual([0, 0, 0]);
    expect(blockHeader(block)).toEqual({
      number: 60836289,
      id: String(block.blockID),
      parentHash: "0000000003a049c06cc3f72dfe57ecb1dba89ba956a94ea1bf1d1eb59d154af7",
      timestampMs: 1713150507000,
    });
  });

  it("a failed USDT call (OUT_OF_ENERGY, hex addresses) is marked failed and its attempted transfer kept as failed", () => {
    // getnowblock_1, tx cd8029f5…: owner 41f582eb… = TYMMPQz…, transfer(41 01b1966f… = TA8ARFn…, 0x04c4b400 = 80000000)
    const out = normalizeBlock(fixture("getnowblock_1"), [], ctx(["TYMMPQzUaK6pTqbR3TjXCx3KKfyam1Jhx3"], false));
    expect(out.transactions).toHaveLength(1);
    expect(out.transactions[0]).toMatchObject({
      hash: "cd8029f5744780b88ec29bae75f214c39ed1bad910819d8e3a95d1dc4ccb006e",
      status: "failed",
      contractRet: "OUT_OF_ENERGY",
      confirmed: false,
      block: 60954080,
      timestampMs: 1713504669000,
    });
    expect(out.transfers).toEqual([
      expect.objectContaining({
        transferId: "7b9f9fca4243aa1c07752c8c445138db87bb1caf",
        fromAddress: "TYMMPQzUaK6pTqbR3TjXCx3KKfyam1Jhx3",
        toAddress: "TA8ARFnvGpnQUWGNsvYZRqVm7VM72qq6TL",
        tokenId: USDT,
        amountRaw: "80000000",
        amount: "80",
        status: "failed",
        source: "transaction",
      }),
    ]);
  });

  it("a TRC10 transfer in a base58 block: the decimal asset id, the exact amount", () => {
    // getblockbynum_1, tx 9f0f4a9c…: TBia23p… sends 888888888 of token 1004937 to TNeSQSV…
    const out = normalizeBlock(fixture("getblockbynum_1"), [], ctx(["TNeSQSVHzrrfrryXDaUVkMcgwtrUR8ZQzM"]));
    const mine = out.transfers.filter(
      (t) => t.transactionId === "9f0f4a9cc74f72abcd70f3866d34e672df271ebbf63a29b274e04ee528f3d95b",
    );
    expect(mine).toEqual([
      expect.objectContaining({
        assetType: "trc10",
        tokenId: "1004937",
        fromAddress: "TBia23p7ckvmgwniAJUgMCbP65nXD1F2Ce",
        amountRaw: "888888888",
        status: "success",
      }),
    ]);
  });

  it("matching before normalizing: a recipient seen only in the Transfer event is found; a broken record is quarantined only when it is ours", () => {
    // the same USDT transfer with the call data's recipient replaced: only the event's topics[2] names TW3NSuh…
    const block = structuredClone(fixture("getblockbynum_1")) as { transactions: Record<string, any>[] };
    const tx = block.transactions.find((t) => t.txID === TX)!;
    const value = tx.raw_data.contract[0].parameter.value;
    value.data = `a9059cbb${"0".repeat(24)}${"11".repeat(20)}${value.data.slice(72)}`;
    const viaEvent = normalizeBlock(block, [fixture("gettransactioninfobyid_1")], ctx([RECIPIENT]));
    expect(viaEvent.transfers.map((t) => t.transferId)).toEqual(["b391ae9b193cda04fd7a766c6f6704379ab67ad3"]);
    // without its info the event is unknown, and the call data no longer names the wallet: nothing
    expect(normalizeBlock(block, [], ctx([RECIPIENT])).transactions).toEqual([]);
    // a record with a broken txID: skipped when no watched address is in it, quarantined when one is
    const broken = structuredClone(fixture("getblockbynum_1")) as { transactions: Record<string, any>[] };
    const b = broken.transactions.find((t) => t.txID === TX)!;
    b.txID = "not-a-hash";
    expect(normalizeBlock(broken, [], ctx(["TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF"])).quarantined).toEqual([]);
    const ours = normalizeBlock(broken, [], ctx([SENDER]));
    expect(ours.quarantined).toHaveLength(1);
    expect(ours.quarantined[0].reason).toMatch(/txID "not-a-hash" is not 64 hex characters/);
  });
});
