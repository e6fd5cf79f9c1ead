import { followBlocks } from "../src/pipeline/follow-blocks.ts";
import { createNodeClient } from "../src/source/node/client.ts";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach } from "vitest";
import { Emulator, type EmulatorOptions } from "../src/emulator/server.ts";
import { createDuckDbWarehouse } from "../src/warehouse/duckdb/index.ts";
import { parseConfig } from "../src/config/load.ts";
import { ORIGINAL_WALLETS } from "../src/emulator/history.ts";
import { runCycle } from "../src/pipeline/cycle.ts";
import { silentLogger } from "../src/internal/logger.ts";
import { createTronscanClient } from "../src/source/tronscan/client.ts";
import type { Server } from "node:http";
import type { Warehouse } from "../src/warehouse/types.ts";
import type { Browser, Dialog, Page } from "playwright-core";

/** The recorded TronScan pages, carried in the repository (test/fixtures/tronscan, provenance in its README). */
export const FIXTURES = join(import.meta.dirname, "fixtures/tronscan");
if (!existsSync(FIXTURES)) throw new Error(`recorded TronScan fixtures not found at ${FIXTURES}`);
export const ROOT = join(import.meta.dirname, "..");

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!().catch(() => undefined);
});
/** Closes `x` after the current test, whether it passed or not (newest first). */
export function closeAfterEach<T extends { close(): Promise<void> }>(x: T): T {
  closers.push(() => x.close());
  return x;
}

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "tronmon-test-"));
  dirs.push(d);
  return d;
}

export async function memoryWarehouse() {
  const w = await createDuckDbWarehouse({ path: ":memory:" });
  await w.migrate();
  return w;
}

export async function startEmulator(
  opts: EmulatorOptions,
): Promise<{ emu: Emulator; server: Server; url: string; close(): Promise<void> }> {
  const emu = new Emulator({ clock: "manual", ...opts });
  const server = await emu.listen(0);
  const port = (server.address() as { port: number }).port;
  return { emu, server, url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

/** A config's `source` for the emulator: fast rate, short retries (the CLI tests' configs). */
export const fastSource = (url: string, extra: Record<string, unknown> = {}) => ({
  base_url: url,
  requests_per_second: 1000,
  burst: 100,
  concurrency: 3,
  max_retries: 6,
  retry_base_delay_ms: 5,
  timeout_ms: 5000,
  ...extra,
});

export function testConfig(args: { url: string; wallets: string[]; dir: string; extra?: Record<string, unknown> }) {
  return parseConfig({
    wallets: args.wallets.map((address) => ({ address })),
    source: {
      base_url: args.url,
      requests_per_second: 1000,
      burst: 100,
      concurrency: 3,
      max_retries: 8,
      timeout_ms: 5000,
      ...(args.extra ?? {}),
    },
    warehouse: { kind: "duckdb", path: join(args.dir, "test.duckdb") },
    output: { dir: join(args.dir, "out"), raw_archive: true, structured: false },
    logging: { file: join(args.dir, "test.log"), level: "warn" },
  });
}

export function fastClient(url: string) {
  return createTronscanClient({
    baseUrl: url,
    requestsPerSecond: 1000,
    burst: 100,
    maxRetries: 10,
    baseDelayMs: 1,
    maxDelayMs: 5,
    timeoutMs: 5000,
  });
}

/** Runs the CLI in a child process without blocking this one (an emulator may answer from here). */
export function tronmon(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(ROOT, "bin/tronmon.js"), ...args], {
    cwd,
    env: { ...process.env, TRONSCAN_API_KEY: "" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

/**
 * Opens a dashboard page in the browser and waits until it says it loaded (`document.body.dataset.loaded`);
 * console errors and page errors are collected in `problems`, dialogs go to `onDialog` (dismissed otherwise).
 */
export async function openPage(
  browser: Browser,
  o: { base: string; path: string; name: string; problems: string[]; onDialog?: (d: Dialog) => Promise<void> },
): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on("console", (m) => {
    if (m.type() === "error") o.problems.push(`${o.path}: console: ${m.text()}`);
  });
  page.on("pageerror", (e) => o.problems.push(`${o.path}: ${e.message}`));
  page.on("dialog", (d) => (o.onDialog ? o.onDialog(d) : d.dismiss()));
  await page.goto(new URL(o.path, o.base).toString());
  await page.waitForFunction((n) => document.body.dataset.loaded === n, o.name, { timeout: 30_000 });
  return page;
}

/** A node client for the emulator: no rate limit to speak of, quick retries. */
export const fastNodeClient = (url: string, maxRetries = 8) =>
  createNodeClient({ baseUrl: url, requestsPerSecond: 10_000, burst: 1000, maxRetries, baseDelayMs: 1 });

/** The block follower from `startBlock` to the emulator's solidified head at virtual time `nowMs`. */
export const followEmulator = (
  url: string,
  warehouse: Warehouse,
  wallets: string[],
  startBlock: number,
  nowMs: number,
) =>
  followBlocks({
    client: fastNodeClient(url),
    warehouse,
    watched: new Set(wallets),
    startBlock,
    runId: "n",
    nowMs: () => nowMs,
  });

/**
 * The dashboards' fixture: the emulator (seed, days, now), one cycle of the four original wallets (labels from
 * `label(i)`, default theirs) into a fresh DuckDB file; returns the emulator, the warehouse, the config, its folder.
 */
export async function syncedEmulator(o: {
  seed: number;
  days: number;
  nowMs: number;
  label?: (i: number) => string | null;
}) {
  const api = await startEmulator({ seed: o.seed, days: o.days, nowMs: o.nowMs });
  const dir = tempDir();
  const config = parseConfig({
    wallets: ORIGINAL_WALLETS.map((x, i) => ({ address: x.address, label: o.label ? o.label(i) : x.label })),
    source: { base_url: api.url, requests_per_second: 1000, burst: 100, concurrency: 4 },
    warehouse: { kind: "duckdb", path: join(dir, "d.duckdb") },
    output: { dir: join(dir, "out"), structured: false, raw_archive: false },
  });
  const w = await createDuckDbWarehouse({ path: join(dir, "d.duckdb") });
  await w.migrate();
  const r = await runCycle({
    config,
    warehouse: w,
    client: fastClient(api.url),
    logger: silentLogger(),
    command: "run",
    clockMs: () => api.emu.now(),
  });
  if (r.summary.status !== "success") throw new Error(`the fixture's cycle ${r.summary.status}`);
  return { api, w, config, dir };
}

/**
 * A folder for the CLI over the recorded seed pages: a commented config of the four original wallets (with their
 * labels) and the given `rules:` lines, the pages imported. Returns the folder.
 */
export async function seededFolder(ruleLines: string[]): Promise<string> {
  const dir = tempDir();
  writeFileSync(
    join(dir, "tronmon.config.yaml"),
    [
      "# my wallets",
      "wallets:",
      ...ORIGINAL_WALLETS.map((w) => `  - address: ${w.address}\n    label: ${w.label}`),
      "rules:",
      ...ruleLines,
    ].join("\n") + "\n",
  );
  const r = await tronmon(["import", join(FIXTURES, "seed-pages")], dir);
  if (r.code !== 0) throw new Error(`seed import failed: ${r.stderr}`);
  return dir;
}
