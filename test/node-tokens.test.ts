// Tokens first seen in blocks get name, symbol and decimals from the node's constant calls (decimals(), symbol(),
// name() through /wallet/triggerconstantcontract; TRC10 through /wallet/getassetissuebyid): on the same history the
// block path stores the amounts and token fields the TronScan path stores, and finds the same fake tokens.
import { refreshRollup } from "../src/warehouse/activity/rollup.ts";
import { describe, expect, it } from "vitest";
import { syncAll } from "../src/pipeline/sync-all.ts";
import { detectAnomalies } from "../src/anomalies/detect.ts";
import { silentLogger } from "../src/internal/logger.ts";
import { ORIGINAL_WALLETS, parseMix } from "../src/emulator/history.ts";
import { blockOf, TOKENS } from "../src/emulator/chain.ts";
import { SOLIDIFY_BLOCKS } from "../src/emulator/node.ts";
import { abiDecimals, abiString } from "../src/source/node/token-metadata.ts";
import { wellKnownToken } from "../src/model/tokens.ts";
import { TokenCache } from "../src/pipeline/token-cache.ts";
import { SourceHttpError, SourceUnavailableError } from "../src/internal/errors.ts";
import {
  closeAfterEach,
  fastClient,
  memoryWarehouse,
  startEmulator,
  tempDir,
  testConfig,
  followEmulator,
} from "./helpers.ts";
import { stmt } from "./stmt.ts";

describe("token metadata from the node", () => {
  it("decodes ABI strings, bytes32 strings and decimals as java-tron returns them", () => {
    // "USDT" as an ABI string: offset 32, length 4, then the bytes
    const usdt = `${(32).toString(16).padStart(64, "0")}${(4).toString(16).padStart(64, "0")}${"55534454".padEnd(64, "0")}`;
    expect(abiString(usdt)).toBe("USDT");
    expect(abiString("4d4b520000000000000000000000000000000000000000000000000000000000")).toBe("MKR"); // bytes32
    expect(abiDecimals("0000000000000000000000000000000000000000000000000000000000000012")).toBe(18);
    expect(abiDecimals("f".repeat(64))).toBeNull(); // no amount holds 10^(2^256)
    expect(abiString(null)).toBeNull();
  });

  it("a node that refuses is not asked again; one that fails is asked again after ten minutes, not on every range", async () => {
    const cache = new TokenCache();
    const token = TOKENS.gift.id;
    let asked = 0;
    const failing = async () => {
      asked++;
      throw new SourceUnavailableError("the node /wallet/triggerconstantcontract failed after 3 attempts");
    };
    const t0 = 1_000_000;
    await cache.fillWith([token], failing, () => undefined, t0);
    await cache.fillWith([token], failing, () => undefined, t0 + 60_000); // the next range, a minute later
    expect(asked).toBe(1);
    await cache.fillWith([token], failing, () => undefined, t0 + 10 * 60_000 + 1);
    expect(asked).toBe(2);
    const refusing = async () => {
      asked++;
      throw new SourceHttpError("The node refused /wallet/triggerconstantcontract (HTTP 404)", 404, "x");
    };
    const other = new TokenCache();
    await other.fillWith([token], refusing, () => undefined, t0);
    await other.fillWith([token], refusing, () => undefined, t0 + 3600_000);
    expect(asked).toBe(3);
  });

  it("the block path's token fields and amounts equal the TronScan path's; fake USDT found by both", async () => {
    const nowMs = Date.parse("2026-06-02T10:00:00Z");
    const mix = parseMix("usdt_in:10,fake_usdt:8,gift:4,jst_out:4,usdc_in:4,trc10_in:4,trx_in:4,nft_in:4");
    const api = closeAfterEach(await startEmulator({ seed: 23, days: 1, nowMs, mix }));
    const wallets = ORIGINAL_WALLETS.map((w) => w.address);
    const dir = tempDir();
    const config = testConfig({ url: api.url, wallets, dir });
    const viaScan = closeAfterEach(await memoryWarehouse());
    await syncAll({ config, warehouse: viaScan, client: fastClient(api.url), logger: silentLogger(), nowMs });
    const viaNode = closeAfterEach(await memoryWarehouse());
    await viaNode.setWallets(wallets.map((address) => ({ address })));
    const start = blockOf(nowMs - 86_400_000) + 1;
    await followEmulator(api.url, viaNode, wallets, start, nowMs);
    const solid = blockOf(nowMs) - SOLIDIFY_BLOCKS;
    const rows = (w: typeof viaNode) =>
      w.query(
        stmt(`SELECT transfer_id, token_id, token_symbol, token_name, token_decimals, amount FROM transfers
          WHERE block BETWEEN ${start} AND ${solid} ORDER BY transfer_id`),
      );
    const node = await rows(viaNode);
    expect(node.filter((r) => r.token_id === TOKENS.fakeUsdt.id).length).toBeGreaterThan(3);
    expect(node.filter((r) => r.amount === null)).toEqual([]);
    expect(node.filter((r) => r.token_id === TOKENS.nft.id).length).toBeGreaterThan(3); // TRC721 from 4-topic events
    expect(node).toEqual(await rows(viaScan));
    // the constant calls: three per TRC20 token the built-in list does not know (USDT, USDC, JST it does), once each
    const calls = api.emu.stats.byPath["/wallet/triggerconstantcontract"] ?? 0;
    const trc20 = new Set(node.filter((r) => String(r.token_id).startsWith("T")).map((r) => String(r.token_id)));
    const unknown = [...trc20].filter((t) => !wellKnownToken(t));
    expect(unknown).toEqual(expect.arrayContaining([TOKENS.fakeUsdt.id, TOKENS.gift.id]));
    expect(calls).toBe(3 * unknown.length);
    const fakes = async (w: typeof viaNode) => {
      await refreshRollup(w);
      await detectAnomalies({ warehouse: w, config, nowMs, outDir: dir });
      return (
        await w.query<{ transfer_id: string }>(
          stmt(`SELECT a.transfer_id FROM anomalies a JOIN transfers t ON t.transfer_id = a.transfer_id
            WHERE a.anomaly_type = 'fake_token' AND t.block BETWEEN ${start} AND ${solid} ORDER BY 1`),
        )
      ).map((r) => r.transfer_id);
    };
    const found = await fakes(viaNode);
    expect(found.length).toBeGreaterThan(3);
    expect(found).toEqual(await fakes(viaScan));
  }, 120_000);
});
