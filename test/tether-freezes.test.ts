// Tether's USDT blacklist from blocks: the logs decoded (both ABI readings), and the tether-frozen list followed from
// the node emulator equal to its truth, at the same request count for 4 and for 10,000 watched addresses.
import { describe, expect, it } from "vitest";
import { blacklistEvents, BLACKLIST_TOPICS } from "../src/normalize/blacklist.ts";
import { addressToHex } from "../src/model/address.ts";
import { blockOf } from "../src/emulator/chain.ts";
import { ORIGINAL_WALLETS } from "../src/emulator/history.ts";
import { closeAfterEach, fastNodeClient, memoryWarehouse, startEmulator } from "./helpers.ts";
import { followBlocks } from "../src/pipeline/follow-blocks.ts";
import { stmt } from "./stmt.ts";

const USDT_HEX = "a614f803b6fd780986a42c78ec9c7f77e6ded13c"; // TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t (TRON-RISK.md)
const A = "TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre";
const B = "TEAqwfMhXLaomXhZ8KeMhx3njGmQEDnsUR";
const word = (a: string) => addressToHex(a).slice(2).padStart(64, "0");
const amount = (n: bigint) => n.toString(16).padStart(64, "0");

describe("blacklist logs", () => {
  it("reads the address from topics[1] or from the data, the destroyed balance, and nothing else", () => {
    const infos = [
      {
        id: "aa",
        receipt: { result: "SUCCESS" },
        log: [
          { address: USDT_HEX, topics: [BLACKLIST_TOPICS.added, word(A)], data: "" },
          { address: `41${USDT_HEX}`, topics: [BLACKLIST_TOPICS.removed], data: word(B) },
          { address: USDT_HEX, topics: [BLACKLIST_TOPICS.destroyed], data: word(A) + amount(12_345_678_900n) },
          { address: USDT_HEX, topics: [BLACKLIST_TOPICS.destroyed, word(B)], data: amount(5n) },
          // the same topic from another contract, and a Transfer of USDT: not blacklist changes
          { address: "11".repeat(20), topics: [BLACKLIST_TOPICS.added, word(B)], data: "" },
          {
            address: USDT_HEX,
            topics: ["ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef", word(A), word(B)],
            data: amount(1n),
          },
          // unreadable: a word that is no address
          { address: USDT_HEX, topics: [BLACKLIST_TOPICS.added, "ff".repeat(32)], data: "" },
        ],
      },
      {
        id: "bb",
        receipt: { result: "REVERT" },
        log: [{ address: USDT_HEX, topics: [BLACKLIST_TOPICS.added, word(B)] }],
      },
    ];
    const got = blacklistEvents(infos, { number: 7, timestampMs: 1000 });
    expect(got.unread).toBe(1);
    expect(got.events.map((e) => [e.kind, e.address, e.amountRaw])).toEqual([
      ["added", A, null],
      ["removed", B, null],
      ["destroyed", A, "12345678900"],
      ["destroyed", B, "5"],
    ]);
    expect(got.events[0]).toMatchObject({ transactionId: "aa", block: 7, timestampMs: 1000 });
  });
});

describe("tether-frozen followed from the node emulator", () => {
  it("equals the emulator's truth, at the same request count for 4 and 10,000 watched addresses", async () => {
    const nowMs = Date.parse("2026-09-15T08:00:00Z");
    const api = closeAfterEach(await startEmulator({ seed: 7, days: 12, nowMs }));
    api.emu.advance(60 * 60_000); // the freezes are planted 20-23 minutes after the start
    const truth = api.emu.truth([]).freezes;
    expect(truth.map((f) => f.kind)).toEqual(["added", "added", "removed", "added", "destroyed"]);
    const start = blockOf(nowMs + 20 * 60_000) - 2;
    const wallets = ORIGINAL_WALLETS.map((w) => w.address);
    const requests: number[] = [];
    for (const watched of [wallets, [...wallets, ...Array.from({ length: 9_996 }, (_, i) => `T${i}`)]]) {
      const w = closeAfterEach(await memoryWarehouse());
      const r = await followBlocks({
        client: fastNodeClient(api.url),
        warehouse: w,
        watched: new Set(watched),
        startBlock: start,
        maxBlocks: 80,
        runId: "n",
        nowMs: () => api.emu.now(),
      });
      requests.push(r.requests);
      const entries = await w.query<Record<string, unknown>>(
        stmt(`SELECT address, added_version, removed_version, listed_at_ms, details FROM risk_entries
          WHERE list_name = 'tether-frozen' ORDER BY listed_at_ms, address`),
      );
      // the state the truth's events leave, worked by hand: strangers 1 and 2 frozen, 2 unfrozen, the payer frozen
      // and 12,345.6789 USDT of it destroyed
      const [s1, s2] = [truth[0].address, truth[1].address].sort();
      const payer = truth[3].address;
      const byAddress = new Map(entries.map((e) => [e.address, e]));
      expect(entries).toHaveLength(3);
      expect(byAddress.get(s1)).toMatchObject({ removed_version: null, listed_at_ms: String(truth[0].ts) });
      expect(byAddress.get(truth[2].address)?.removed_version).not.toBeNull();
      expect([s1, s2]).toContain(truth[2].address);
      const p = byAddress.get(payer)!;
      expect(p).toMatchObject({ removed_version: null, listed_at_ms: String(truth[3].ts) });
      const details = typeof p.details === "string" ? JSON.parse(p.details) : p.details;
      expect(details).toMatchObject({
        destroyed_raw: "12345678900",
        destroyed_usdt: "12345.6789",
        frozen: { tx: truth[3].transactionId },
      });
      // versions: one per load that changed the list
      const [v] = await w.query<{ n: string }>(
        stmt("SELECT count(*) AS n FROM risk_lists WHERE list_name = 'tether-frozen'"),
      );
      expect(Number(v.n)).toBeGreaterThanOrEqual(1);
    }
    expect(requests[1]).toBe(requests[0]);
  });
});
