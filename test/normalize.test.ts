import { describe, expect, it } from "vitest";
import { addressFromAbiWord, addressProblem } from "../src/model/address.ts";
import { formatUnits, parseRawAmount, parseUnits } from "../src/model/amount.ts";
import { decodeTransferCall } from "../src/normalize/abi.ts";
import { parseJsonLossless } from "../src/internal/json.ts";
import { normalizeRecords } from "../src/normalize/index.ts";
import { WELL_KNOWN_TOKENS } from "../src/model/tokens.ts";

describe("addresses", () => {
  it("accepts real base58check addresses and rejects a changed checksum", () => {
    expect(addressProblem("TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF")).toBeNull();
    expect(addressProblem("TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAG")).toMatch(/checksum/);
    expect(addressProblem("0x41a614f803b6fd780986a42c78ec9c7f77e6ded13c")).toMatch(/base58/);
    expect(addressProblem(42)).toMatch(/string/);
  });
  it("well-known token contracts are valid addresses", () => {
    for (const t of WELL_KNOWN_TOKENS) expect(addressProblem(t.tokenId), t.symbol).toBeNull();
  });
  it("decodes the low 20 bytes of an ABI word whether it carries 41 or 00", () => {
    // hex of USDT's contract is 41a614f803b6fd780986a42c78ec9c7f77e6ded13c (TRONSCAN-API.md §5)
    expect(addressFromAbiWord("0000000000000000000000a614f803b6fd780986a42c78ec9c7f77e6ded13c".padStart(64, "0"))).toBe(
      "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
    );
    expect(addressFromAbiWord("000000000000000000000041a614f803b6fd780986a42c78ec9c7f77e6ded13c")).toBe(
      "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
    );
  });
});

describe("amounts", () => {
  it("scales exactly", () => {
    expect(formatUnits(249234600n, 6)).toBe("249.2346");
    expect(formatUnits(2n, 6)).toBe("0.000002");
    expect(formatUnits(10324097505394n, 6)).toBe("10324097.505394");
    expect(formatUnits(2531319816832000000000000n, 18)).toBe("2531319.816832");
    expect(formatUnits(0n, 6)).toBe("0");
    expect(formatUnits(2n ** 256n - 1n, 18)).toBe(
      "115792089237316195423570985008687907853269984665640564039457.584007913129639935",
    );
  });
  it("parses raw amounts from numbers and strings, refusing fractions and negatives", () => {
    expect(parseRawAmount("6278014700")).toBe(6278014700n);
    expect(parseRawAmount(6278014700)).toBe(6278014700n);
    expect(parseRawAmount("1.5")).toBeNull();
    expect(parseRawAmount(-1)).toBeNull();
    expect(parseRawAmount(2 ** 60)).toBeNull(); // not a safe integer: would have lost precision
  });
  it("parseUnits is the exact inverse", () => {
    expect(parseUnits("500000", 6)).toBe(500000000000n);
    expect(parseUnits("0.000001", 6)).toBe(1n);
    expect(() => parseUnits("0.0000001", 6)).toThrow(/decimals/);
  });
  it("keeps integers beyond 2^53 exact when parsing JSON", () => {
    const v = parseJsonLossless(
      '{"amount": 123456789012345678901234567890, "ts": 1724507295000, "s": "x 12345678901234567890 y"}',
    ) as Record<string, unknown>;
    expect(v.amount).toBe("123456789012345678901234567890");
    expect(v.ts).toBe(1724507295000);
    expect(v.s).toBe("x 12345678901234567890 y");
  });
});

describe("ABI call data", () => {
  it("decodes transfer(address,uint256) from the failed USDT call of transaction_1.json", () => {
    const d = decodeTransferCall(
      "a9059cbb000000000000000000000041f5fbe5e8725957174014dca1dc4fed54e970a2f80000000000000000000000000000000000000000000000000000000000989680",
    );
    expect(d?.value).toBe(10_000_000n); // 0x989680
  });
  it("decodes transferFrom and ignores other methods", () => {
    const word = (h: string) => h.padStart(64, "0");
    const d = decodeTransferCall(
      "23b872dd" +
        word("a614f803b6fd780986a42c78ec9c7f77e6ded13c") +
        word("a614f803b6fd780986a42c78ec9c7f77e6ded13c") +
        word("ff"),
    );
    expect(d).toEqual({
      from: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
      to: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
      value: 255n,
    });
    expect(decodeTransferCall("095ea7b3" + word("1") + word("2"))).toBeNull();
    expect(decodeTransferCall("a9059cbb00")).toBeNull();
  });
});

describe("normalizeRecords", () => {
  const trxTx = {
    block: 64620002,
    hash: "fad9f4eae1936d4fc9dc208c538076379fdfedeb340d3239938aafe0e12b68c3",
    timestamp: 1724507295000,
    ownerAddress: "TQrY8tryqsYVCYS3MFbtffiPp2ccyn4STm",
    toAddress: "TTysHyyGpENU39HWz647qVdj3mDzLbjaaW",
    contractType: 1,
    confirmed: false,
    contractRet: "SUCCESS",
    amount: "6278014700",
    contractData: {
      amount: 6278014700,
      owner_address: "TQrY8tryqsYVCYS3MFbtffiPp2ccyn4STm",
      to_address: "TTysHyyGpENU39HWz647qVdj3mDzLbjaaW",
    },
  };
  const trxTransfer = {
    block: 64620002,
    transactionHash: "fad9f4eae1936d4fc9dc208c538076379fdfedeb340d3239938aafe0e12b68c3",
    timestamp: 1724507295000,
    transferFromAddress: "TQrY8tryqsYVCYS3MFbtffiPp2ccyn4STm",
    transferToAddress: "TTysHyyGpENU39HWz647qVdj3mDzLbjaaW",
    amount: 6278014700,
    tokenName: "_",
    confirmed: true,
    contractRet: "SUCCESS",
  };
  it("gives the same transfer_id to one movement seen through /api/transaction and /api/transfer", () => {
    const a = normalizeRecords({ nowMs: Date.now(), endpoint: "transaction", records: [trxTx], observedAtMs: 1 });
    const b = normalizeRecords({ nowMs: Date.now(), endpoint: "transfer", records: [trxTransfer], observedAtMs: 2 });
    expect(a.transfers).toHaveLength(1);
    expect(b.transfers).toHaveLength(1);
    expect(a.transfers[0].transferId).toBe(b.transfers[0].transferId);
    expect(a.transfers[0]).toMatchObject({
      assetType: "trx",
      tokenId: "_",
      amountRaw: "6278014700",
      amount: "6278.0147",
      tokenDecimals: 6,
    });
  });
  it("accepts bool-or-0/1 and number-or-string, and quarantines what it cannot understand", () => {
    const ok = normalizeRecords({
      nowMs: Date.now(),
      endpoint: "transfer",
      records: [{ ...trxTransfer, confirmed: 1, block: "64620002", amount: "6278014700" }],
      observedAtMs: 1,
    });
    expect(ok.transfers[0]).toMatchObject({ confirmed: true, block: 64620002 });
    const bad = normalizeRecords({
      nowMs: Date.now(),
      endpoint: "transfer",
      observedAtMs: 1,
      records: [
        { ...trxTransfer, transferToAddress: "TTysHyyGpENU39HWz647qVdj3mDzLbjaaX" },
        { ...trxTransfer, amount: "-5" },
        { ...trxTransfer, transactionHash: undefined },
      ],
    });
    expect(bad.transfers).toHaveLength(0);
    expect(bad.quarantined.map((q) => q.reason)).toEqual([
      expect.stringMatching(/transferToAddress "TTysHyyGpENU39HWz647qVdj3mDzLbjaaX" base58check checksum/),
      expect.stringMatching(/amount "-5" is not a non-negative integer/),
      expect.stringMatching(/^transactionHash:/),
    ]);
  });
  it("never takes a token's identity from its symbol: a fake USDT keeps its own contract", () => {
    const fake = normalizeRecords({
      nowMs: Date.now(),
      endpoint: "trc20",
      observedAtMs: 1,
      records: [
        {
          transaction_id: "a".repeat(64),
          block_ts: 1728723540000,
          block: 1,
          from_address: "TJqwA7SoZnERE4zW5uDEiPkbz4B66h9TFj",
          to_address: "TLwLTBk5k9nVNM3FK6yP8bXWsu6aTczcag",
          contract_address: "TJCDneQevgfGFkU1rpCxVofksbeiGLhMCi",
          quant: "1000000",
          event_type: "Transfer",
          confirmed: true,
          contractRet: "SUCCESS",
          finalResult: "SUCCESS",
          tokenInfo: {
            tokenId: "TJCDneQevgfGFkU1rpCxVofksbeiGLhMCi",
            tokenAbbr: "USDT",
            tokenName: "Tether USD",
            tokenDecimal: 6,
            tokenType: "trc20",
            tokenLevel: "0",
          },
        },
      ],
    });
    expect(fake.transfers[0]).toMatchObject({
      tokenId: "TJCDneQevgfGFkU1rpCxVofksbeiGLhMCi",
      tokenSymbol: "USDT",
      amount: "1",
    });
    expect(fake.transfers[0].tokenId).not.toBe("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
  });
  it("skips Approval events and keeps a uint256 amount exact", () => {
    const base = {
      transaction_id: "b".repeat(64),
      block_ts: 1728723540000,
      block: 1,
      from_address: "TJqwA7SoZnERE4zW5uDEiPkbz4B66h9TFj",
      to_address: "TLwLTBk5k9nVNM3FK6yP8bXWsu6aTczcag",
      contract_address: "TJCDneQevgfGFkU1rpCxVofksbeiGLhMCi",
      confirmed: true,
      tokenInfo: {
        tokenId: "TJCDneQevgfGFkU1rpCxVofksbeiGLhMCi",
        tokenAbbr: "GIFT",
        tokenDecimal: 18,
        tokenType: "trc20",
      },
    };
    const out = normalizeRecords({
      nowMs: Date.now(),
      endpoint: "trc20",
      observedAtMs: 1,
      records: [
        { ...base, event_type: "Approval", quant: "0" },
        { ...base, event_type: "Transfer", quant: (2n ** 256n - 1n).toString() },
      ],
    });
    expect(out.skipped).toBe(1);
    expect(out.transfers).toHaveLength(1);
    expect(out.transfers[0].amountRaw).toBe(
      "115792089237316195423570985008687907853269984665640564039457584007913129639935",
    );
  });
});

describe("fast parse path", () => {
  it("gives exactly what the zod schemas give on every recorded and emulated record", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { FIXTURES } = await import("./helpers.ts");
    const { recognisePage } = await import("../src/normalize/page.ts");
    const { fastTransaction, fastTransfer, fastTrc20 } = await import("../src/normalize/fast-parse.ts");
    const schemas = await import("../src/normalize/raw-schemas.ts");
    const { Emulator } = await import("../src/emulator/server.ts");
    const { toJson } = await import("../src/emulator/render.ts");
    const pages: unknown[] = [];
    for (const dir of ["seed-pages", "endpoints"])
      for (const f of readdirSync(join(FIXTURES, dir)))
        pages.push(JSON.parse(readFileSync(join(FIXTURES, dir, f), "utf8")));
    const emu = new Emulator({ seed: 2, days: 3, clock: "manual" });
    for (const w of emu.wallets) {
      for (const [path, param] of [
        ["/api/transaction", "address"],
        ["/api/transfer", "address"],
        ["/api/token_trc20/transfers", "relatedAddress"],
      ]) {
        const url = new URL(`http://x${path}?${param}=${w.address}&limit=50`);
        const body = (emu as unknown as { route(u: URL): { json: unknown } }).route(url).json;
        pages.push(JSON.parse(toJson(body)));
      }
    }
    const pairs = {
      transaction: [fastTransaction, schemas.transactionRecordSchema],
      transfer: [fastTransfer, schemas.transferRecordSchema],
      trc20: [fastTrc20, schemas.trc20RecordSchema],
    } as const;
    let fastHits = 0;
    let checked = 0;
    for (const content of pages) {
      const page = recognisePage(content);
      if ("error" in page || page.endpoint === "internal") continue;
      const [fast, schema] = pairs[page.endpoint];
      for (const r of page.records) {
        const f = fast(r);
        const z = (schema as { safeParse(x: unknown): { success: boolean; data?: unknown } }).safeParse(r);
        checked++;
        if (f) {
          fastHits++;
          expect(z.success).toBe(true);
          expect(f).toEqual(z.data);
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
    expect(fastHits / checked).toBeGreaterThan(0.95);
  });
});
