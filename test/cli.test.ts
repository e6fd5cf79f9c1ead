// The program as a user runs it: the tronmon CLI in a child process, against the emulator.
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ORIGINAL_WALLETS } from "../src/emulator/history.ts";
import { createDuckDbWarehouse } from "../src/warehouse/duckdb/index.ts";
import { TRANSFER_EXPORT_FIELDS } from "../src/model/columns.ts";
import { fastSource, ROOT, startEmulator, tempDir, tronmon } from "./helpers.ts";
import { stmt } from "./stmt.ts";

const BIN = join(ROOT, "bin/tronmon.js");
const HEAVY = ORIGINAL_WALLETS[0].address;

function writeConfig(dir: string, url: string, extra: Record<string, unknown> = {}, wallets = [HEAVY]) {
  const path = join(dir, "tronmon.config.yaml");
  writeFileSync(
    path,
    stringify({
      wallets: wallets.map((address) => ({ address })),
      source: fastSource(url, extra),
      warehouse: { kind: "duckdb", path: join(dir, "data/tronmon.duckdb") },
      output: { dir: join(dir, "out") },
      logging: { file: join(dir, "logs/etl_tronscan.log") },
    }),
  );
  return path;
}

describe("tronmon CLI", () => {
  it("check: a bad config lists every problem with file and key path, exits 2 and writes nothing", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "tronmon.config.yaml"),
      [
        "wallets:",
        "  - address: TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAG", // checksum broken
        "  - address: TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF",
        "  - address: TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF", // duplicate
        "  - address: hello",
        "    lable: typo",
        "source:",
        "  requests_per_second: fast",
        "warehouse:",
        "  path: 12",
        "colour: blue",
      ].join("\n"),
    );
    const r = await tronmon(["check"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Invalid configuration in tronmon.config.yaml");
    for (const expected of [
      'wallets[0].address: "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAG" is not a TRON address: base58check checksum does not match',
      "wallets[2].address: TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF is listed twice (also wallets[1])",
      'wallets[3].address: "hello" is not a TRON address',
      'wallets[3]: unknown key "lable"',
      "source.requests_per_second:",
      "warehouse.path:",
      '(root): unknown key "colour"',
    ])
      expect(r.stderr).toContain(expected);
    expect(existsSync(join(dir, "data"))).toBe(false);
    expect(existsSync(join(dir, "logs"))).toBe(false);
    const run = await tronmon(["run"], dir);
    expect(run.code).toBe(2);
    expect(existsSync(join(dir, "data"))).toBe(false);
  });

  it("check: the shipped config is valid; --help documents exit codes", async () => {
    const r = await tronmon(["check", "--config", join(ROOT, "tronmon.config.yaml")], tempDir());
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/OK — 4 wallets/);
    // the settings in force per wallet: the shipped exchange profile over the global ones
    expect(r.stdout).toContain(
      "detectors for HTX-4 (profile exchange): large_transaction 6 sd above 100000 USDT, 1000000 TRX; " +
        "new_counterparty out above 1000 USDT, 10000 TRX; burst 3x (at least 50); address_poisoning 4+4; " +
        "fake_token out; off: spam_token",
    );
    expect(r.code).toBe(0);
    expect((await tronmon(["--help"], ROOT)).stdout).toMatch(/Exit codes: 0 ok/);
    expect((await tronmon(["export", "--help"], ROOT)).stdout).toMatch(/--format <format>/);
  });

  it("a broken API: clear message, run recorded as failed, non-zero exit, nothing half-written", async () => {
    const api = await startEmulator({ seed: 3, days: 3, faults: { 500: 1 } });
    const dir = tempDir();
    try {
      writeConfig(dir, api.url, { max_retries: 2 });
      const r = await tronmon(["run"], dir);
      expect(r.code).toBe(75);
      expect(r.stderr).toMatch(/failed after 3 attempts: HTTP 500: Internal Server Error/);
      const status = JSON.parse((await tronmon(["status", "--json"], dir)).stdout);
      expect(status.runs[0]).toMatchObject({ command: "run", status: "failed" });
      expect(status.runs[0].error).toMatch(/HTTP 500/);
      expect(status.wallets[0]).toMatchObject({ transfers: "0", transactions: "0", synced_to_ms: null });
    } finally {
      await api.close();
    }
    const dir2 = tempDir();
    writeConfig(dir2, "http://127.0.0.1:9", { max_retries: 1 });
    const r2 = await tronmon(["run"], dir2);
    expect(r2.code).toBe(75);
    expect(r2.stderr).toMatch(/network error/);
  });

  it("no network: says it cannot reach TronScan once, up front, and exits 75 without a retry storm", async () => {
    // `.invalid` never resolves (RFC 6761): the DNS failure a machine without a network gets; the shipped retry
    // count (6) is kept, yet a host that cannot be reached is tried 3 times, then every stream fails at once
    const dir = tempDir();
    writeConfig(
      dir,
      "https://apilist.tronscan.invalid",
      { max_retries: 6 },
      ORIGINAL_WALLETS.map((w) => w.address),
    );
    const r = await tronmon(["run"], dir);
    expect(r.code).toBe(75);
    const lines = r.stderr.split("\n").filter((l) => l.trim());
    expect(lines[0]).toMatch(/cannot reach TronScan at https:\/\/apilist\.tronscan\.invalid.*(ENOTFOUND|EAI_AGAIN)/);
    expect(r.stderr).not.toMatch(/Retrying a request/);
    // one reason, said once as it happens and once in the summary naming the 16 streams it stopped
    expect(lines.filter((l) => /Failed wallet endpoint/.test(l))).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot reach TronScan.*\(16 streams — 4 wallets × /);
    const status = JSON.parse((await tronmon(["status", "--json"], dir)).stdout);
    expect(status.runs[0].error.split("\n")).toHaveLength(1);
  });

  it("kill -9 in the middle of a backfill, then run again: identical to an uninterrupted run", async () => {
    const api = await startEmulator({ seed: 5, days: 14, nowMs: Date.now() - 3_600_000, latencyMs: 3 });
    try {
      const clean = tempDir();
      writeConfig(clean, api.url);
      expect((await tronmon(["run"], clean)).code).toBe(0);
      const total = api.emu.stats.requests;

      const crashed = tempDir();
      writeConfig(crashed, api.url);
      const before = api.emu.stats.requests;
      const child = spawn(process.execPath, [BIN, "run"], { cwd: crashed, stdio: "ignore" });
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if (api.emu.stats.requests - before > total * 0.6) {
            clearInterval(t);
            child.kill("SIGKILL");
            resolve();
          }
        }, 5);
      });
      await new Promise((r) => child.once("exit", r));
      const mid = await rowCount(join(crashed, "data/tronmon.duckdb"));
      expect(mid).toBeGreaterThan(0); // it was really interrupted part-way...
      const expected = await exportAll(clean);
      expect(mid).toBeLessThan(expected.transfers.length); // ...before the end
      const again = await tronmon(["run"], crashed);
      expect(again.code).toBe(0);
      const actual = await exportAll(crashed);
      expect(actual.transfers.length).toBe(expected.transfers.length);
      expect(actual.transfers).toEqual(expected.transfers);
      expect(actual.transactions).toEqual(expected.transactions);
    } finally {
      await api.close();
    }
  });

  it("export transfers --format ndjson has exactly the documented fields; csv has a header", async () => {
    const api = await startEmulator({ seed: 9, days: 2 });
    const dir = tempDir();
    try {
      writeConfig(dir, api.url, {}, [ORIGINAL_WALLETS[1].address]);
      expect((await tronmon(["run"], dir)).code).toBe(0);
      const out = (await tronmon(["export", "transfers", "--format", "ndjson"], dir)).stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(out.length).toBeGreaterThan(5);
      const fields = [...TRANSFER_EXPORT_FIELDS, "watched_wallet", "direction", "counterparty", "token_flag"];
      for (const r of out) expect(Object.keys(r)).toEqual(fields);
      const w = ORIGINAL_WALLETS[1].address;
      for (const r of out) {
        expect(r.watched_wallet).toBe(w);
        expect(r.direction).toBe(r.from_address === w ? (r.to_address === w ? "self" : "out") : "in");
        expect(r.counterparty).toBe(r.direction === "out" ? r.to_address : r.from_address);
      }
      // the emulator's fake "USDT" (another contract) is flagged; the real one is not
      const fake = out.filter((r) => r.token_symbol === "USDT" && r.token_id !== "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
      for (const r of fake) expect(r.token_flag).toBe("imitation");
      for (const r of out.filter((r) => r.token_id === "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"))
        expect(r.token_flag).toBeNull();
      expect(out[0].timestamp_utc).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const csv = (
        await tronmon(
          ["export", "transfers", "--format", "csv", "--wallet", ORIGINAL_WALLETS[1].address, "--since", "2000-01-01"],
          dir,
        )
      ).stdout.split("\n");
      expect(csv[0]).toBe(fields.join(","));
      expect(csv.filter(Boolean)).toHaveLength(out.length + 1);
      // the raw archive replays into a fresh database with the same result
      const replay = await tronmon(["import", join(dir, "out/raw"), "--db", join(dir, "replay.duckdb")], dir);
      expect(replay.code).toBe(0);
      expect(replay.stdout).toMatch(/imported \d+ files/);
      const again = (await tronmon(["export", "transfers", "--db", join(dir, "replay.duckdb")], dir)).stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(again.map((r) => JSON.stringify(r)).sort()).toEqual(out.map((r) => JSON.stringify(r)).sort());
      const bad = await tronmon(["export", "transfers", "--wallet", "Tnope"], dir);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--wallet "Tnope" is not a valid TRON address/);
    } finally {
      await api.close();
    }
  });
});

async function rowCount(path: string): Promise<number> {
  const w = await createDuckDbWarehouse({ path });
  const [r] = await w.query<{ n: string }>(stmt("SELECT count(*) AS n FROM transfers"));
  await w.close();
  return Number(r.n);
}

async function exportAll(dir: string) {
  const lines = async (kind: string) => (await tronmon(["export", kind], dir)).stdout.trim().split("\n").sort();
  return { transfers: await lines("transfers"), transactions: await lines("transactions") };
}
