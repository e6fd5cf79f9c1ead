// tronmon watch: the schedule (with an injectable clock), no overlap, one instance per database, a clean stop on
// SIGTERM.
import { duckdbSettings } from "../src/config/schema.ts";
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { scheduleFrom, scheduleLoop, type Clock } from "../src/service/schedule.ts";
import { silentLogger } from "../src/internal/logger.ts";
import { ORIGINAL_WALLETS } from "../src/emulator/history.ts";
import { fastSource, ROOT, startEmulator, tempDir, testConfig, tronmon } from "./helpers.ts";
import { watch } from "../src/service/watch.ts";
import { createDuckDbWarehouse } from "../src/warehouse/duckdb/index.ts";
import { createTronscanClient } from "../src/source/tronscan/client.ts";
import { stmt } from "./stmt.ts";

const T0 = Date.parse("2026-03-01T00:03:00Z");
const MIN = 60_000;

/** A clock whose sleeps pass at once; cycles advance it by their duration. */
function fakeClock(start: number): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += Math.max(0, ms);
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  const log = silentLogger();
  const warn = (o: Record<string, unknown>) => {
    lines.push(o);
  };
  return { lines, logger: Object.assign(log, { warn, info: () => undefined, debug: () => undefined }) as typeof log };
}

describe("schedule", () => {
  it("every 10m: a cycle at start, then at +10, +20, +30 min", async () => {
    const clock = fakeClock(T0);
    const starts: number[] = [];
    await scheduleLoop({
      schedule: scheduleFrom({ every: "10m", cron: null }, T0),
      clock,
      signal: new AbortController().signal,
      logger: silentLogger(),
      maxCycles: 4,
      cycle: async (s) => {
        starts.push((s - T0) / MIN);
        clock.advance(2 * MIN);
      },
    });
    expect(starts).toEqual([0, 10, 20, 30]);
  });

  it("cron */10 (UTC) from 00:03: at start, then 00:10, 00:20", async () => {
    const clock = fakeClock(T0);
    const starts: string[] = [];
    await scheduleLoop({
      schedule: scheduleFrom({ every: "10m", cron: "*/10 * * * *" }, T0),
      clock,
      signal: new AbortController().signal,
      logger: silentLogger(),
      maxCycles: 3,
      cycle: async (s) => {
        starts.push(new Date(s).toISOString().slice(11, 16));
        clock.advance(MIN);
      },
    });
    expect(starts).toEqual(["00:03", "00:10", "00:20"]);
  });

  it("a cycle overrunning its slot makes the next one wait (never two at once), logged; then back on the grid", async () => {
    const clock = fakeClock(T0);
    const { lines, logger } = recordingLogger();
    const starts: number[] = [];
    let running = 0,
      maxRunning = 0;
    await scheduleLoop({
      schedule: scheduleFrom({ every: "10m", cron: null }, T0),
      clock,
      signal: new AbortController().signal,
      logger,
      maxCycles: 4,
      cycle: async (s, n) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        starts.push((s - T0) / MIN);
        await Promise.resolve();
        clock.advance((n === 2 ? 25 : 1) * MIN); // the second cycle (at +10) runs until +35: slots +20 and +30 pass
        running--;
      },
    });
    expect(maxRunning).toBe(1);
    expect(starts).toEqual([0, 10, 35, 40]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: "Cycle overran its slot: the next one starts now",
      cycle: 2,
      late_ms: 5 * MIN,
      slots_skipped: 1,
    });
  });

  it("stops at once when aborted while waiting", async () => {
    const controller = new AbortController();
    const clock: Clock = {
      now: () => T0,
      sleep: async () => {
        controller.abort();
      },
    };
    let n = 0;
    await scheduleLoop({
      schedule: scheduleFrom({ every: "10m", cron: null }, T0),
      clock,
      signal: controller.signal,
      logger: silentLogger(),
      cycle: async () => {
        n++;
      },
    });
    expect(n).toBe(1);
  });
});

describe("watch in-process: probes and metrics", () => {
  it("/ready is 503 before the first cycle and 200 after; /metrics counts cycles, rows and requests by endpoint", async () => {
    const api = await startEmulator({ seed: 2, days: 2, nowMs: T0 });
    const dir = tempDir();
    const config = testConfig({ url: api.url, wallets: [ORIGINAL_WALLETS[1].address], dir });
    const warehouse = await createDuckDbWarehouse({ path: duckdbSettings(config).path });
    await warehouse.migrate();
    const controller = new AbortController();
    let base = "";
    let readyBefore = 0;
    let cycles = 0;
    // the wait between cycles lasts until the test has looked (then the emulator's clock moves on)
    let release: () => void = () => undefined;
    const clock: Clock = {
      now: () => api.emu.now(),
      sleep: (ms) =>
        new Promise((r) => {
          release = () => {
            api.emu.advance(ms);
            r();
          };
        }),
    };
    try {
      const done = watch({
        config,
        warehouse,
        logger: silentLogger(),
        clock,
        signal: controller.signal,
        client: (m) =>
          createTronscanClient({
            baseUrl: api.url,
            requestsPerSecond: 1000,
            burst: 100,
            onResponse: (path, status) => m.requests.inc({ endpoint: path, status: String(status) }),
          }),
        metricsPort: 0,
        onListening: (server) => {
          base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
          void fetch(`${base}/ready`).then((r) => {
            readyBefore = r.status;
          });
        },
        onCycle: (n) => {
          cycles = n;
        },
      });
      await waitFor("the first cycle", () => cycles === 1);
      expect(readyBefore).toBe(503);
      expect((await fetch(`${base}/ready`)).status).toBe(200);
      expect(await (await fetch(`${base}/health`)).json()).toMatchObject({ status: "ok" });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain('tronmon_cycles_total{status="success"} 1');
      expect(metrics).toMatch(
        /tronmon_tronscan_requests_total\{endpoint="\/api\/token_trc20\/transfers",status="200"\} [1-9]/,
      );
      const [n] = await warehouse.query<{ n: string }>(stmt("SELECT count(*) AS n FROM transfers"));
      expect(metrics).toContain(`tronmon_rows_loaded_total{table="transfers"} ${n.n}`);
      expect(metrics).not.toMatch(/tronmon_rows_loaded_total\{table="updated"\}/);
      expect(metrics).toMatch(/^tronmon_process_cpu_seconds_total [0-9.e-]+$/m);
      // the served exposition passes Prometheus's own linter (Debian's prometheus package; .ci/run installs it)
      const lint = spawnSync("promtool", ["check", "metrics"], { input: metrics, encoding: "utf8" });
      expect(lint.error, "promtool is installed").toBeUndefined();
      expect(`${lint.stdout}${lint.stderr}`).toBe("");
      expect(lint.status).toBe(0);
      expect(metrics).toMatch(/tronmon_wallet_lag_seconds\{wallet="TU4vEruvZwLLkSfV9bNw12EJTPvNr7Pvaa"\} 0/);
      // every labelled query is timed by its label: one rule evaluation and one rollup in the cycle
      expect(metrics).toContain('tronmon_query_seconds_count{query="rules.evaluate",result="ok"} 1');
      expect(metrics).toContain('tronmon_query_seconds_count{query="rollup.wallet_daily",result="ok"} 1');
      release();
      await waitFor("the second cycle", () => cycles === 2);
      expect(await (await fetch(`${base}/metrics`)).text()).toContain('tronmon_cycles_total{status="success"} 2');
      controller.abort();
      release();
      expect((await done).cycles).toBe(2);
    } finally {
      await warehouse.close();
      await api.close();
    }
  });
});

function writeConfig(dir: string, url: string, extra: Record<string, unknown> = {}) {
  writeFileSync(
    join(dir, "tronmon.config.yaml"),
    stringify({
      wallets: [{ address: ORIGINAL_WALLETS[0].address }],
      source: fastSource(url),
      output: { dir: "out" },
      ...extra,
    }),
  );
}

const waitFor = async (what: string, f: () => boolean | Promise<boolean>, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe("tronmon watch (child processes, emulator over HTTP)", () => {
  it("a second watch, run or import on the same database is refused, naming the holder; SIGTERM mid-cycle exits 0 and a restart loses nothing", async () => {
    const api = await startEmulator({ seed: 5, days: 6, nowMs: Date.now() - 3_600_000, latencyMs: 15 });
    try {
      const clean = tempDir();
      writeConfig(clean, api.url);
      expect((await tronmon(["run"], clean)).code).toBe(0);
      const full = api.emu.stats.requests;

      const dir = tempDir();
      writeConfig(dir, api.url);
      const start = () => {
        const child = spawn(process.execPath, [join(ROOT, "bin/tronmon.js"), "watch", "--every", "10m"], {
          cwd: dir,
          env: { ...process.env, TRONSCAN_API_KEY: "" },
        });
        const out = { stderr: "", stdout: "" };
        child.stderr.on("data", (d) => (out.stderr += d));
        child.stdout.on("data", (d) => (out.stdout += d));
        return { child, out, exited: new Promise<number | null>((r) => child.once("exit", (code) => r(code))) };
      };
      // 1. SIGTERM in the middle of the backfill: exit 0, the run recorded as interrupted
      const before = api.emu.stats.requests;
      const a = start();
      await waitFor("part of the backfill", () => api.emu.stats.requests - before > full * 0.3);
      a.child.kill("SIGTERM");
      expect(await a.exited, a.out.stderr).toBe(0);
      expect(a.out.stderr).toContain("Stopping: abandoning the current cycle");
      const status = JSON.parse((await tronmon(["status", "--json"], dir)).stdout);
      expect(status.runs[0]).toMatchObject({ command: "watch", status: "interrupted" });
      expect(api.emu.stats.requests - before).toBeLessThan(full); // it really stopped part-way

      // 2. restarted, its first cycle completes the backfill; while it waits for the next, others are refused
      const b = start();
      // at the shipped log level a terminal (stderr) gets warnings and errors only; stdout a line per cycle
      await waitFor("the first cycle's line", () => /^cycle 1 finished /m.test(b.out.stdout));
      expect(b.out.stderr).not.toContain('"level":30');
      for (const cmd of [["run"], ["watch"], ["import", "nothing.json"]]) {
        const r = await tronmon(cmd, dir);
        expect(r.code, `${cmd[0]}: ${r.stderr}`).toBe(73);
        expect(r.stderr).toMatch(new RegExp(`is in use by 'tronmon watch' \\(pid ${b.child.pid}, since `));
      }
      b.child.kill("SIGTERM");
      expect(await b.exited, b.out.stderr).toBe(0);

      // 3. nothing lost, nothing doubled: the rows equal a clean run's
      const lines = async (d: string, kind: string) =>
        (await tronmon(["export", kind], d)).stdout.trim().split("\n").sort();
      for (const kind of ["transfers", "transactions"]) {
        const a = await lines(dir, kind),
          e = await lines(clean, kind);
        expect(a.length).toBe(e.length);
        expect(a).toEqual(e);
      }
    } finally {
      await api.close();
    }
  }, 240_000);
});
