// Alert latency of watch with the block follower, at real speed: the emulator produces a block every 3 s (its node
// endpoints: solidified 19 blocks behind the head, tip reorgs), watch follows it and a local webhook receives the
// alerts; latency = receipt at the webhook − the block time of the anomaly's transfer. Twice: solidified blocks
// only, then with the fast lane. BENCH_LATENCY_MINUTES (default 2) per mode.
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Emulator } from "../src/emulator/server.ts";
import { ORIGINAL_WALLETS } from "../src/emulator/history.ts";
import { addressFrom } from "../src/emulator/random.ts";
import { parseConfig } from "../src/config/load.ts";
import { watch } from "../src/service/watch.ts";
import { realClock } from "../src/service/schedule.ts";
import { silentLogger } from "../src/internal/logger.ts";
import { createTronscanClient } from "../src/source/tronscan/client.ts";
import { createNodeClient } from "../src/source/node/client.ts";
import { createDuckDbWarehouse } from "../src/warehouse/duckdb/index.ts";

export type LatencyResult = {
  mode: string;
  alerts: number;
  p50: number;
  p95: number;
  max: number;
  /** Node requests (any /wallet or /walletsolidity path) per block produced while measuring. */
  requestsPerBlock: number;
  byPath: Record<string, number>;
};

/** The node requests the emulator has answered so far, per path. */
const nodeRequests = (emu: Emulator) =>
  Object.fromEntries(Object.entries(emu.stats.byPath).filter(([p]) => p.startsWith("/wallet")));

const quantile = (sorted: number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : Number.NaN;

async function receiver(
  onAlert: (body: Record<string, any>, atMs: number) => void,
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      onAlert(JSON.parse(body), Date.now());
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, server };
}

async function measure(fastLane: boolean, minutes: number): Promise<LatencyResult> {
  const mode = fastLane ? "fast lane" : "solidified only";
  const wallets = [
    ...ORIGINAL_WALLETS,
    ...Array.from({ length: 16 }, (_, i) => ({ address: addressFrom(`latency-${i}`), label: `busy ${i}`, perHour: 0 })),
  ].map((w) => ({ ...w, perHour: 300 }));
  const emu = new Emulator({ seed: fastLane ? 71 : 72, days: 0.05, clock: "real", wallets, reorgs: 0.02 });
  const api = await emu.listen(0);
  const apiUrl = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
  let measureFrom = Number.POSITIVE_INFINITY;
  let before: Record<string, number> = {};
  const latencies: number[] = [];
  const hook = await receiver((b, at) => {
    if (b.type !== "anomaly" || !b.data?.occurred_at) return;
    const blockMs = Date.parse(b.data.occurred_at);
    if (blockMs >= measureFrom) latencies.push((at - blockMs) / 1000);
  });
  process.env.BENCH_LATENCY_HOOK = hook.url;
  const dir = mkdtempSync(join(tmpdir(), "tronmon-latency-"));
  const config = parseConfig({
    wallets: wallets.map((w) => ({ address: w.address })),
    source: { base_url: apiUrl, requests_per_second: 1000, burst: 100, concurrency: 4, live: "node" },
    node: { base_url: apiUrl, requests_per_second: 100, poll_seconds: 3, fast_lane: fastLane },
    verify: { every_cycles: 0 },
    anomalies: { new_counterparty: { direction: "any" } },
    notify: { sinks: [{ name: "hook", kind: "webhook", url_env: "BENCH_LATENCY_HOOK" }] },
    output: { dir: join(dir, "out"), structured: false, raw_archive: false },
  });
  const warehouse = await createDuckDbWarehouse({ path: join(dir, "latency.duckdb") });
  await warehouse.migrate();
  const stop = new AbortController();
  const running = watch({
    config,
    warehouse,
    logger: silentLogger(),
    clock: realClock,
    signal: stop.signal,
    client: () => createTronscanClient({ baseUrl: apiUrl, requestsPerSecond: 1000, burst: 100 }),
    nodeClient: () => createNodeClient({ baseUrl: apiUrl, requestsPerSecond: 100, burst: 20 }),
    // the first cycle backfilled the history (and alerted on it): from here on, only new blocks count
    onCycle: (n) => {
      if (n === 1) {
        measureFrom = Date.now() + 5_000;
        setTimeout(() => (before = nodeRequests(emu)), 5_000);
      }
    },
  });
  const t0 = Date.now();
  while (Date.now() - t0 < minutes * 60_000) {
    await new Promise((r) => setTimeout(r, 5_000));
    if (process.stdout.isTTY)
      process.stdout.write(
        `\r  ${mode}: ${((Date.now() - t0) / 1000).toFixed(0)} s of ${minutes * 60}, ${latencies.length} alerts measured   `,
      );
  }
  const after = nodeRequests(emu);
  const blocksProduced = (Date.now() - measureFrom) / 3000;
  const byPath = Object.fromEntries(Object.entries(after).map(([p, n]) => [p, n - (before[p] ?? 0)]));
  const requests = Object.values(byPath).reduce((a, b) => a + b, 0);
  stop.abort();
  await running;
  await warehouse.close();
  api.close();
  hook.server.close();
  rmSync(dir, { recursive: true, force: true });
  if (process.stdout.isTTY) process.stdout.write("\n");
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    mode,
    alerts: sorted.length,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    max: sorted.at(-1) ?? Number.NaN,
    requestsPerBlock: requests / blocksProduced,
    byPath: Object.fromEntries(Object.entries(byPath).map(([p, n]) => [p, Number((n / blocksProduced).toFixed(2))])),
  };
}

export async function benchLatency(minutes: number): Promise<LatencyResult[]> {
  console.log(
    `\n== Alert latency: block time → webhook, watch following the emulator's blocks at real speed (${minutes} min each)`,
  );
  const out: LatencyResult[] = [];
  for (const fast of [false, true]) {
    const r = await measure(fast, minutes);
    console.log(
      `  ${r.mode}: ${r.alerts} alerts, p50 ${r.p50.toFixed(1)} s, p95 ${r.p95.toFixed(1)} s, max ${r.max.toFixed(1)} s; ` +
        `${r.requestsPerBlock.toFixed(2)} node requests per block (${Object.entries(r.byPath)
          .map(([p, n]) => `${p} ${n}`)
          .join(", ")})`,
    );
    out.push(r);
  }
  return out;
}

if (process.argv[1]?.endsWith("latency.ts")) await benchLatency(Number(process.env.BENCH_LATENCY_MINUTES ?? 2));
