// Tether's blacklist backfilled from TronGrid's event API (the emulator's /v1/contracts/{USDT}/events): the
// tether-frozen list equals the emulator's truth worked by hand; a second backfill, and the block follower over the
// same blocks, add nothing and do not double the destroyed amount; paging that stops early still yields every event.
import { describe, expect, it } from "vitest";
import { blockOf } from "../src/emulator/chain.ts";
import { backfillFreezes } from "../src/pipeline/backfill-freezes.ts";
import { followBlocks } from "../src/pipeline/follow-blocks.ts";
import { blacklistFromEvent } from "../src/normalize/blacklist.ts";
import { closeAfterEach, fastNodeClient, memoryWarehouse, startEmulator } from "./helpers.ts";
import { stmt } from "./stmt.ts";

const nowMs = Date.parse("2026-09-15T08:00:00Z");

async function entries(w: Awaited<ReturnType<typeof memoryWarehouse>>) {
  const rows = await w.query<Record<string, unknown>>(
    stmt(`SELECT address, removed_version, listed_at_ms, details FROM risk_entries
      WHERE list_name = 'tether-frozen' ORDER BY address`),
  );
  return rows.map(
    (r): Record<string, unknown> => ({
      ...r,
      details: typeof r.details === "string" ? JSON.parse(r.details) : r.details,
    }),
  );
}

describe("blacklistFromEvent", () => {
  it("reads TronGrid's shapes (hex, 41 hex, base58; named or positional results) and refuses the rest", () => {
    const tx = "ab".repeat(32);
    const base = { block_number: 9, block_timestamp: 1000, transaction_id: tx };
    const A = "TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre";
    const hexA = "0x0ef4e04b4a4bd0b0a8d7de3b3c1f4e9a1b2c3d4e"; // any 20 bytes
    expect(blacklistFromEvent("added", { ...base, result: { _user: A } })).toMatchObject({ address: A, block: 9 });
    expect(blacklistFromEvent("removed", { ...base, result: { "0": hexA } })?.address).toMatch(/^T/);
    expect(
      blacklistFromEvent("destroyed", { ...base, result: { _blackListedUser: A, _balance: "12345678900" } }),
    ).toMatchObject({ amountRaw: "12345678900" });
    // a uint256 balance beyond 2^64 stays exact
    expect(
      blacklistFromEvent("destroyed", {
        ...base,
        result: { "0": A, "1": "115792089237316195423570985008687907853269984665640564039457584007913129639935" },
      })?.amountRaw,
    ).toBe("115792089237316195423570985008687907853269984665640564039457584007913129639935");
    expect(blacklistFromEvent("added", { ...base, result: { _user: "nope" } })).toBeNull();
    expect(blacklistFromEvent("destroyed", { ...base, result: { _blackListedUser: A } })).toBeNull();
    expect(blacklistFromEvent("added", { ...base, transaction_id: "zz", result: { _user: A } })).toBeNull();
    expect(blacklistFromEvent("added", { ...base, event_name: "Transfer", result: { _user: A } })).toBeNull();
  });
});

describe("tether-frozen backfilled from TronGrid's event API", () => {
  it("equals the truth; again, and with the follower over the same blocks, it adds nothing", async () => {
    const api = closeAfterEach(await startEmulator({ seed: 7, days: 12, nowMs }));
    api.emu.advance(60 * 60_000); // freezes planted 20-23 minutes after the start
    const truth = api.emu.truth([]).freezes;
    const w = closeAfterEach(await memoryWarehouse());
    const client = fastNodeClient(api.url);
    const window = { fromMs: nowMs - 86_400_000, toMs: api.emu.now() };
    const r = await backfillFreezes({ client, warehouse: w, ...window, nowMs: api.emu.now(), runId: "b1" });
    expect(r).toMatchObject({ seen: 5, stored: 5, quarantined: 0 });
    // by hand: strangers 1 and 2 frozen, 2 unfrozen (added and removed), the payer frozen with 12,345.6789 destroyed
    const payer = truth[3].address;
    const first = await entries(w);
    expect(first).toHaveLength(3);
    const p = first.find((e) => e.address === payer)!;
    expect(p).toMatchObject({ removed_version: null, listed_at_ms: String(truth[3].ts) });
    expect(p.details).toMatchObject({ destroyed_raw: "12345678900", destroyed_usdt: "12345.6789" });
    expect(first.find((e) => e.address === truth[2].address)?.removed_version).not.toBeNull();

    const again = await backfillFreezes({ client, warehouse: w, ...window, nowMs: api.emu.now(), runId: "b2" });
    expect(again).toMatchObject({ seen: 5, stored: 0, version: null });
    await followBlocks({
      client,
      warehouse: w,
      watched: new Set(),
      startBlock: blockOf(nowMs + 20 * 60_000) - 2,
      maxBlocks: 80,
      runId: "f",
      nowMs: () => api.emu.now(),
    });
    expect(await entries(w)).toEqual(first);
    const [n] = await w.query<{ n: string }>(stmt("SELECT count(*) AS n FROM tether_events"));
    expect(Number(n.n)).toBe(5);
  });

  it("pages that stop early (no fingerprint before the end) still yield every event", async () => {
    const api = closeAfterEach(await startEmulator({ seed: 7, days: 12, nowMs, quirks: { holes: 1 } }));
    api.emu.advance(60 * 60_000);
    // two events a page and every chain stops after its first page: the two strangers frozen in one transaction
    // fill the first page, the payer's freeze comes only from asking again past their time
    const { contractEvents } = await import("../src/source/node/contract-events.ts");
    const got = await contractEvents(fastNodeClient(api.url), {
      contract: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
      eventName: "AddedBlackList",
      minMs: nowMs - 86_400_000,
      maxMs: api.emu.now(),
      pageSize: 2,
    });
    expect(got.events).toHaveLength(3);
    expect(got.passes).toBe(3);
  });
});
