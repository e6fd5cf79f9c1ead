// Health of the monitor itself: with TronScan answering 500 for two cycles a health alert opens and is
import { duckdbSettings } from "../src/config/schema.ts";
// notified; it resolves (and that is notified) when the API recovers. Lag and throttling checks.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCycle } from "../src/pipeline/cycle.ts";
import { parseFaults } from "../src/emulator/server.ts";
import { silentLogger } from "../src/internal/logger.ts";
import { createDuckDbWarehouse } from "../src/warehouse/duckdb/index.ts";
import { createTronscanClient } from "../src/source/tronscan/client.ts";
import { walletLags, throttledSeconds } from "../src/health/reads.ts";
import { parseConfig } from "../src/config/load.ts";
import { startEmulator, tempDir } from "./helpers.ts";
import { stmt } from "./stmt.ts";

const W = "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF";
const NOW = Date.parse("2026-03-10T12:00:00Z");

describe("health alerts", () => {
  it("two failed cycles open health.consecutive_failures (notified); a good cycle resolves it (notified)", async () => {
    const api = await startEmulator({ seed: 3, days: 2, nowMs: NOW, retryAfterSec: 0 });
    const dir = tempDir();
    const file = join(dir, "notes.ndjson");
    const config = parseConfig({
      wallets: [{ address: W }],
      source: { base_url: api.url, requests_per_second: 1000, burst: 100, max_retries: 1, retry_base_delay_ms: 1 },
      warehouse: { kind: "duckdb", path: join(dir, "h.duckdb") },
      output: { dir: join(dir, "out") },
      notify: { sinks: [{ name: "ops", kind: "file", path: file, events: ["health"] }] },
    });
    const w = await createDuckDbWarehouse({ path: duckdbSettings(config).path });
    await w.migrate();
    const client = createTronscanClient({
      baseUrl: api.url,
      requestsPerSecond: 1000,
      burst: 100,
      maxRetries: 1,
      baseDelayMs: 1,
      maxDelayMs: 2,
    });
    const cycle = () =>
      runCycle({
        config,
        warehouse: w,
        client,
        logger: silentLogger(),
        command: "watch",
        clockMs: () => api.emu.now(),
      });
    const health = () =>
      w.query<{ rule_name: string; status: string; value: string; wallet: string }>(
        stmt("SELECT rule_name, status, value, wallet FROM alerts WHERE kind = 'health'"),
      );
    const lines = () => {
      try {
        return readFileSync(file, "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l));
      } catch {
        return [];
      }
    };
    try {
      api.emu.faults = parseFaults("500:1");
      expect((await cycle()).summary.status).toBe("failed");
      expect(await health()).toEqual([]); // one failure is not yet a problem
      api.emu.advance(600_000);
      expect((await cycle()).summary.status).toBe("failed");
      expect(await health()).toEqual([
        { rule_name: "health.consecutive_failures", status: "open", value: "2", wallet: "*" },
      ]);
      expect(lines().map((l) => [l.type, l.event, l.name, l.severity])).toEqual([
        ["health", "opened", "health.consecutive_failures", "critical"],
      ]);
      expect(lines()[0].text).toBe(
        "[critical] Monitor health: health.consecutive_failures fired: 2 failed cycles in a row (fires at ≥ 2).",
      );

      api.emu.faults = {};
      api.emu.advance(600_000);
      const ok = await cycle();
      expect(ok.summary.status).toBe("success");
      expect(await health()).toEqual([
        { rule_name: "health.consecutive_failures", status: "resolved", value: "2", wallet: "*" },
      ]);
      expect(lines().map((l) => [l.event, l.name])).toEqual([
        ["opened", "health.consecutive_failures"],
        ["resolved", "health.consecutive_failures"],
      ]);
      // the rule alerts of the same cycle are not resolved by the health check, nor health alerts by rule evaluation
      expect(ok.evaluation?.resolved).toBe(0);

      // lag: complete up to the last cycle's time; 90 minutes later it is 90 minutes behind
      const [lag] = await walletLags(w, api.emu.now() + 90 * 60_000);
      expect(lag).toMatchObject({ wallet: W, lagMinutes: 90 });
    } finally {
      await w.close();
      await api.close();
    }
  });

  it("throttling: seconds TronScan made us wait in the last hour, summed from the run log", async () => {
    const w = await createDuckDbWarehouse({ path: ":memory:" });
    await w.migrate();
    const run = (id: string, startMs: number, throttledMs: number) =>
      w.recordRun({
        runId: id,
        command: "watch",
        startedAtMs: startMs,
        endedAtMs: startMs + 1000,
        status: "success",
        counts: { throttledMs },
      });
    await run("old", NOW - 2 * 3_600_000, 999_000); // outside the hour
    await run("a", NOW - 50 * 60_000, 200_000);
    await run("b", NOW - 10 * 60_000, 150_500);
    expect(await throttledSeconds(w, NOW)).toBe(351);
    await w.close();
  });
});
