// Completeness on an API that misbehaves like the real one (TRONSCAN-API.md §2, §7): page caps, pages
// with rows missing, spurious empty pages, errors inside HTTP 200, rows of one timestamp in another order
// on every request, twins, an endpoint without counts, one that ignores end_timestamp. The yardstick is the
// emulator's ground truth, and `verify` against the API's own counts.
import { describe, expect, it } from "vitest";
import { syncAll } from "../src/pipeline/sync-all.ts";
import { runCycle } from "../src/pipeline/cycle.ts";
import { createSyncDeps } from "../src/pipeline/sync-all.ts";
import { verify } from "../src/pipeline/verify.ts";
import { silentLogger } from "../src/internal/logger.ts";
import { createDuckDbWarehouse } from "../src/warehouse/duckdb/index.ts";
import { ORIGINAL_WALLETS, parseMix } from "../src/emulator/history.ts";
import { TOKENS } from "../src/emulator/chain.ts";
import { ALL_QUIRKS, parseFaults, parseQuirks } from "../src/emulator/server.ts";
import { duckdbSettings } from "../src/config/schema.ts";
import { DAY_MS, utcDay } from "../src/model/time.ts";
import { closeAfterEach, fastClient, startEmulator, tempDir, testConfig, tronmon } from "./helpers.ts";
import { expectEqualSets, snapshot, truth } from "./truth.ts";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stmt } from "./stmt.ts";

const NOW = Date.parse("2026-10-01T12:00:00Z");
const HEAVY = ORIGINAL_WALLETS[0].address;
const SMALL = ORIGINAL_WALLETS[1].address;

async function setup(args: {
  days: number;
  seed?: number;
  quirks?: string;
  faults?: string;
  wallets: string[];
  extra?: Record<string, unknown>;
}) {
  const api = await startEmulator({
    seed: args.seed ?? 11,
    days: args.days,
    nowMs: NOW,
    retryAfterSec: 0,
    quirks: parseQuirks(args.quirks),
  });
  if (args.faults) api.emu.faults = parseFaults(args.faults);
  const dir = tempDir();
  const config = testConfig({ url: api.url, wallets: args.wallets, dir, extra: args.extra });
  const warehouse = await createDuckDbWarehouse({ path: duckdbSettings(config).path });
  await warehouse.migrate();
  const client = fastClient(api.url);
  const cycle = () => syncAll({ config, warehouse, client, logger: silentLogger(), nowMs: api.emu.now() });
  const deps = () => createSyncDeps({ config, warehouse, client, runId: "verify", nowMs: api.emu.now() });
  const close = async () => {
    await warehouse.close().catch(() => undefined); // a test may have closed it to hand the file to the CLI
    await api.close();
  };
  return closeAfterEach({ api, dir, config, warehouse, client, cycle, deps, close });
}

async function expectTruth(s: Awaited<ReturnType<typeof setup>>, wallets: string[]) {
  const actual = await snapshot(s.warehouse);
  const expected = truth(s.api.emu, wallets);
  expectEqualSets(actual.transfers, expected.transfers, "transfers");
  expectEqualSets(actual.transactions, expected.transactions, "transactions");
}

describe("completeness against a misbehaving API", () => {
  it("all quirks at once plus 20% faults: a backfill past the 10,000-row window and five incremental cycles equal the ground truth; verify finds nothing", async () => {
    const s = await setup({
      days: 22,
      wallets: [HEAVY, SMALL],
      quirks: ALL_QUIRKS,
      faults: "429:0.04,403:0.03,html403:0.02,500:0.05,502:0.02,truncated:0.04",
    });
    expect(s.api.emu.list(HEAVY, "trc20", new URLSearchParams()).rangeTotal).toBeGreaterThan(10_000);
    const first = await s.cycle();
    expect(first.status).toBe("success");
    expect(first.shortfalls).toEqual([]);
    for (const minutes of [7, 13, 30, 60, 180]) {
      s.api.emu.advance(minutes * 60_000);
      const r = await s.cycle();
      expect(r.status).toBe("success");
      expect(r.shortfalls).toEqual([]);
      expect(r.totals.transfersNew).toBeGreaterThan(0); // new rows arrived at the head
    }
    await expectTruth(s, [HEAVY, SMALL]);
    // internal transactions and both twins of a transaction are in (hand-checked kinds of the history)
    const [k] = await s.warehouse.query<{ internal: number; twins: number; fee: number }>(
      stmt(`SELECT
      count(CASE WHEN source = 'internal' THEN 1 END)::INTEGER AS internal,
      (SELECT count(*)::INTEGER FROM (SELECT transaction_id FROM transfers GROUP BY transaction_id, token_id, from_address, to_address, amount_raw HAVING count(*) = 2)) AS twins,
      count(CASE WHEN token_id = '${TOKENS.feeToken.id}' AND source = 'transaction' THEN 1 END)::INTEGER AS fee FROM transfers`),
    );
    expect(k.internal).toBeGreaterThan(0);
    expect(k.twins).toBeGreaterThan(0);
    expect(k.fee).toBe(0); // call data of a fee-on-transfer token never stands beside its Transfer events
    const v = await verify({
      deps: await s.deps(),
      wallets: [HEAVY, SMALL],
      fromMs: NOW - 21 * DAY_MS,
      toMs: s.api.emu.now(),
      repair: false,
    });
    expect(v.days.filter((d) => d.verdict === "missing" || d.verdict === "extra")).toEqual([]);
    expect(v.days.filter((d) => d.verdict === "ok").length).toBeGreaterThan(100);
  }, 400_000);

  it("page cap 20: every incremental walk re-reads its overlap, so late rows arrive and unconfirmed rows confirm", async () => {
    const s = await setup({ days: 2, wallets: [HEAVY], quirks: "cap20" });
    for (const minutes of [0, 10, 10, 10, 10]) {
      s.api.emu.advance(minutes * 60_000);
      expect((await s.cycle()).status).toBe("success");
    }
    // nothing older than the emulator's confirmation delay (60 s) may still be unconfirmed
    const [stale] = await s.warehouse.query<{ n: number }>(
      stmt(`SELECT count(*)::INTEGER AS n FROM transfers WHERE NOT confirmed AND timestamp_ms < ?`, [
        s.api.emu.now() - 60_000,
      ]),
    );
    expect(stale.n).toBe(0);
    await expectTruth(s, [HEAVY]);
  });

  it("spurious empty pages (half of them counting 0) never end a walk early", async () => {
    const s = await setup({ days: 3, wallets: [HEAVY, SMALL], quirks: "empty:0.25" });
    expect((await s.cycle()).status).toBe("success");
    s.api.emu.advance(30 * 60_000);
    expect((await s.cycle()).status).toBe("success");
    expect(s.api.emu.stats.faults.empty).toBeGreaterThan(10);
    await expectTruth(s, [HEAVY, SMALL]);
  });

  it("a timestamp holding more rows than three pages, in another order on every request, is stored whole", async () => {
    const s = await setup({ days: 4, wallets: [HEAVY], quirks: "cap20,unstable" });
    const biggest = await s.cycle().then(async () => {
      const [r] = await s.warehouse.query<{ ts: string; n: number }>(
        stmt(
          "SELECT timestamp_ms AS ts, count(*)::INTEGER AS n FROM transfers WHERE asset_type = 'trc20' GROUP BY timestamp_ms ORDER BY n DESC LIMIT 1",
        ),
      );
      return r;
    });
    const inTruth = s.api.emu
      .truth([HEAVY])
      .transfers.filter(
        (t) => Date.parse(String(t.timestamp_utc)) === Number(biggest.ts) && t.asset_type === "trc20",
      ).length;
    expect(inTruth).toBeGreaterThan(60); // a batch payout: more than three pages of 20
    expect(biggest.n).toBe(inTruth);
    await expectTruth(s, [HEAVY]);
  });

  it("an endpoint that ignores end_timestamp fails its stream with a clear message within a bounded number of requests; the others complete", async () => {
    const s = await setup({ days: 3, wallets: [HEAVY], quirks: "ignore_end:transfer" });
    const r = await s.cycle();
    expect(r.status).toBe("failed");
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].endpoint).toBe("transfer");
    expect(r.errors[0].error).toMatch(
      /\/api\/transfer for TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF: \d+ answers in a row made no progress .*ignoring end_timestamp/,
    );
    expect(s.api.emu.stats.byPath["/api/transfer"]).toBeLessThanOrEqual(20);
    const cursors = await s.warehouse.query<{ endpoint: string; synced_to_ms: string | null }>(
      stmt("SELECT endpoint, synced_to_ms FROM sync_cursors ORDER BY endpoint"),
    );
    expect(cursors.filter((c) => c.synced_to_ms !== null).map((c) => c.endpoint)).toEqual([
      "internal",
      "transaction",
      "trc20",
    ]);
  });

  it("a wallet-day deleted on purpose is found by verify and closed by verify --repair (CLI: exit 1, then 0)", async () => {
    const s = await setup({ days: 3, wallets: [HEAVY] });
    expect((await s.cycle()).status).toBe("success");
    const day = utcDay(NOW) - DAY_MS;
    const [before] = await s.warehouse.query<{ n: number }>(
      stmt("SELECT count(*)::INTEGER AS n FROM transfers WHERE timestamp_ms >= ? AND timestamp_ms < ?", [
        day,
        day + DAY_MS,
      ]),
    );
    expect(before.n).toBeGreaterThan(100);
    await s.warehouse.query(
      stmt("DELETE FROM transfers WHERE timestamp_ms >= ? AND timestamp_ms < ?", [day, day + DAY_MS]),
    );
    await s.warehouse.query(
      stmt("DELETE FROM transactions WHERE timestamp_ms >= ? AND timestamp_ms < ?", [day, day + DAY_MS]),
    );
    const found = await verify({
      deps: await s.deps(),
      wallets: [HEAVY],
      fromMs: day - DAY_MS,
      toMs: NOW,
      repair: false,
    });
    const bad = found.days.filter((d) => d.verdict !== "ok");
    // every stream of that day (internal transactions included) and no other day
    expect(bad.map((d) => [d.endpoint, d.dayMs, d.verdict]).sort()).toEqual([
      ["internal", day, "missing"],
      ["transaction", day, "missing"],
      ["transfer", day, "missing"],
      ["trc20", day, "missing"],
    ]);
    expect(bad.every((d) => d.api! > d.stored)).toBe(true);
    await s.warehouse.close();
    // the same through the CLI, as a user runs it
    const cfg = join(s.dir, "tronmon.config.yaml");
    writeFileSync(cfg, JSON.stringify({ ...s.config, wallets: [{ address: HEAVY }] }));
    const day1 = new Date(day).toISOString().slice(0, 10);
    const check = await tronmon(["--config", cfg, "verify", "--from", day1, "--to", day1], s.dir);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/missing/);
    const repair = await tronmon(["--config", cfg, "verify", "--from", day1, "--to", day1, "--repair"], s.dir);
    expect(repair.stdout).toMatch(/4 missing rows \(4 repaired, 0 still missing\)/);
    expect(repair.code).toBe(0);
    const again = await tronmon(["--config", cfg, "verify", "--from", day1, "--to", day1, "--json"], s.dir);
    expect(JSON.parse(again.stdout).days.map((d: { verdict: string }) => d.verdict)).toEqual(["ok", "ok", "ok", "ok"]);
    const w = await createDuckDbWarehouse({ path: duckdbSettings(s.config).path });
    const [after] = await w.query<{ n: number }>(
      stmt("SELECT count(*)::INTEGER AS n FROM transfers WHERE timestamp_ms >= ? AND timestamp_ms < ?", [
        day,
        day + DAY_MS,
      ]),
    );
    expect(after.n).toBe(before.n);
    await w.close();
  });

  it("watch's rolling verify opens health.gap when a day cannot be repaired, and resolves it once it is", async () => {
    const s = await setup({ days: 3, wallets: [HEAVY], extra: {} });
    const full = () =>
      runCycle({
        config: s.config,
        warehouse: s.warehouse,
        client: s.client,
        logger: silentLogger(),
        command: "watch",
        clockMs: () => s.api.emu.now(),
        verify: true,
      });
    await full();
    const day = utcDay(NOW) - DAY_MS;
    await s.warehouse.query(
      stmt("DELETE FROM transfers WHERE timestamp_ms >= ? AND timestamp_ms < ? AND asset_type = 'trc20'", [
        day,
        day + DAY_MS,
      ]),
    );
    s.api.emu.quirks = parseQuirks("ignore_end:trc20"); // the day cannot be walked again
    const broken = await full();
    expect(broken.verification!.stillMissing).toBe(1);
    const gap = async () =>
      s.warehouse.query<{ status: string; value: string }>(
        stmt("SELECT status, value FROM alerts WHERE rule_name = 'health.gap' AND wallet = ?", [HEAVY]),
      );
    expect(await gap()).toEqual([{ status: "open", value: "1" }]);
    s.api.emu.quirks = {};
    s.api.emu.advance(10 * 60_000);
    const fixed = await full();
    expect(fixed.verification!.repaired).toBe(1);
    expect((await gap()).map((a) => a.status)).toEqual(["resolved"]);
  });
});

describe("twins inside ties larger than any page", () => {
  it("payout batches of 60-120 transactions in one block, one in eight paying twice: every twin is kept (page cap 20, ties shuffled)", async () => {
    const api = closeAfterEach(
      await startEmulator({
        seed: 101,
        days: 1,
        nowMs: NOW,
        retryAfterSec: 0,
        quirks: parseQuirks("cap20,unstable"),
        mix: parseMix("twin_batch:5,usdt_in:20"),
      }),
    );
    const dir = tempDir();
    const config = testConfig({ url: api.url, wallets: [HEAVY], dir });
    const warehouse = closeAfterEach(await createDuckDbWarehouse({ path: duckdbSettings(config).path }));
    await warehouse.migrate();
    const r = await syncAll({ config, warehouse, client: fastClient(api.url), logger: silentLogger(), nowMs: NOW });
    expect(r.shortfalls).toEqual([]);
    const actual = await snapshot(warehouse);
    const expected = truth(api.emu, [HEAVY]);
    // twins: two identical Transfers of one transaction, both stored (occurrence 0 and 1)
    const [t] = await warehouse.query<{ n: number }>(
      stmt(
        "SELECT count(*)::INTEGER AS n FROM (SELECT transaction_id FROM transfers GROUP BY transaction_id, to_address, amount_raw HAVING count(*) = 2)",
      ),
    );
    expect(t.n).toBeGreaterThan(20);
    expectEqualSets(actual.transfers, expected.transfers, "transfers");
  }, 300_000);
});
