// npm run bench: printed figures, not assertions. BENCH_TRANSFERS (default 1,000,000) sizes the ingest
// section, BENCH_RULES_TRANSFERS (default 10,000,000) the rules section; BENCH_ONLY=ingest|import|rules|anomalies|noise|dashboard|blocks|latency
// runs one
// (BENCH_DASHBOARD_TRANSFERS sizes the dashboard section, default 1,000,000; BENCH_BLOCKS and BENCH_WATCHED the block
// follower's, default 28,800 blocks and 100,000 addresses; BENCH_LATENCY_MINUTES the alert latency's, default 2 a mode).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pageChunks } from "./pages.ts";
import { benchRules } from "./rules.ts";
import { benchDashboard } from "./dashboard.ts";
import { benchNoise } from "./noise.ts";
import { benchImport } from "./import.ts";
import { cost, figure, printReport } from "./report.ts";
import { benchBlocks } from "./blocks.ts";
import { benchLatency } from "./latency.ts";
import { parseJsonLossless } from "../src/internal/json.ts";
import { recognisePage } from "../src/normalize/page.ts";
import { normalizeRecords } from "../src/normalize/index.ts";
import { emptyBatch } from "../src/model/rows.ts";
import { createDuckDbWarehouse } from "../src/warehouse/duckdb/index.ts";
import { stmt } from "../test/stmt.ts";

let pipelineRate: number | null = null;
const sizeName = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(0)}M` : `${Math.round(n / 1e3)}k`);
const TOTAL = Number(process.env.BENCH_TRANSFERS ?? 1_000_000);
const FLUSH_ROWS = Number(process.env.BENCH_FLUSH_ROWS ?? 5000);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString("en-US")}/s`;

async function ingest() {
  const dir = mkdtempSync(join(tmpdir(), "tronmon-bench-"));
  const warehouse = await createDuckDbWarehouse({
    path: process.env.BENCH_DB ?? join(dir, "bench.duckdb"),
    memoryLimit: process.env.BENCH_DUCKDB_MEMORY ?? "128MB",
  });
  await warehouse.migrate();
  let parseMs = 0,
    pipelineMs = 0,
    pages = 0,
    transferRecords = 0,
    bytes = 0;
  let batch = emptyBatch();
  let loadMs = 0;
  const flush = async () => {
    const t = performance.now();
    if (!process.env.BENCH_NO_LOAD) await warehouse.load({ batch, runId: "bench" });
    loadMs += performance.now() - t;
    batch = emptyBatch();
  };
  const started = Date.now();
  for (const chunk of pageChunks({ wallets: 50, transfers: TOTAL, chunkPages: 100 })) {
    let t0 = performance.now();
    for (const p of chunk) JSON.parse(p.text);
    parseMs += performance.now() - t0;

    t0 = performance.now();
    for (const p of chunk) {
      const page = recognisePage(parseJsonLossless(p.text));
      if ("error" in page) throw new Error(page.error);
      normalizeRecords({
        nowMs: Date.now(),
        endpoint: page.endpoint,
        records: page.records,
        observedAtMs: 1,
        into: batch,
      });
      if (batch.transfers.length + batch.transactions.length >= FLUSH_ROWS) await flush();
    }
    pipelineMs += performance.now() - t0;
    pages += chunk.length;
    transferRecords += chunk.reduce((a, p) => a + p.transfers, 0);
    bytes += chunk.reduce((a, p) => a + p.text.length, 0);
    if (process.stderr.isTTY)
      process.stderr.write(`\r  ${transferRecords.toLocaleString("en-US")} transfer records...`);
  }
  const t0 = performance.now();
  await flush();
  pipelineMs += performance.now() - t0;
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
  const [stored] = await warehouse.query<{ transfers: string; transactions: string; quarantined: string }>(
    stmt(
      "SELECT (SELECT count(*) FROM transfers) AS transfers, (SELECT count(*) FROM transactions) AS transactions, (SELECT count(*) FROM quarantine) AS quarantined",
    ),
  );
  await warehouse.close();
  rmSync(dir, { recursive: true, force: true });
  const bound = transferRecords / parseMs;
  const ours = transferRecords / pipelineMs;
  console.log(
    `\n== Ingest: ${pages.toLocaleString("en-US")} emulator-shaped pages (${mb(bytes)} of JSON), ${transferRecords.toLocaleString("en-US")} transfer records`,
  );
  console.log(
    `  stored: ${Number(stored.transfers).toLocaleString("en-US")} distinct transfers, ${Number(stored.transactions).toLocaleString("en-US")} transactions, ${stored.quarantined} quarantined`,
  );
  console.log(
    `  JSON.parse only (the bound):      ${rate(transferRecords, parseMs)} transfers  (${(parseMs / 1000).toFixed(1)} s)`,
  );
  console.log(
    `  parse + normalize + load (DuckDB): ${rate(transferRecords, pipelineMs)} transfers  (${(pipelineMs / 1000).toFixed(1)} s) = ${((ours / bound) * 100).toFixed(0)}% of the bound`,
  );
  console.log(`    of which DuckDB load:            ${(loadMs / 1000).toFixed(1)} s`);
  pipelineRate = (transferRecords / pipelineMs) * 1000;
  console.log(`  wall time incl. page generation:   ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const peakMb = (process.resourceUsage().maxRSS * 1024) / 1024 / 1024;
  figure({
    figure: `ingest ${sizeName(transferRecords)} transfer records: share of the JSON.parse bound`,
    aim: "≥ 50%",
    aimValue: 50,
    measured: (ours / bound) * 100,
    unit: "%",
    lowerIsBetter: false,
  });
  figure({
    figure: "ingest: peak RSS",
    aim: "< 500 MB",
    aimValue: 500,
    measured: peakMb,
    unit: "MB",
    lowerIsBetter: true,
  });
  const m = process.memoryUsage();
  console.log(
    `  peak RSS: ${mb(process.resourceUsage().maxRSS * 1024)} (now: rss ${mb(m.rss)}, JS heap ${mb(m.heapUsed)} of ${mb(m.heapTotal)}, external ${mb(m.external)})`,
  );
}

console.log(`tronmon bench — node ${process.version}, ${new Date().toISOString()}`);
const only = process.env.BENCH_ONLY;
const sizes = (v: string | undefined, d: string) => (v ?? d).split(",").map(Number);
if (!only || only === "ingest") await ingest();
if (!only || only === "import") {
  const n = Number(process.env.BENCH_IMPORT_TRANSFERS ?? 200_000);
  const rate = await benchImport(n);
  if (pipelineRate !== null)
    figure({
      figure: `import of ${sizeName(n)} transfers: rate vs the in-memory pipeline's`,
      aim: `≥ ${Math.round(pipelineRate).toLocaleString("en-US")}/s`,
      aimValue: pipelineRate,
      measured: rate,
      unit: "/s",
      lowerIsBetter: false,
    });
}
// rules and anomalies at each size (default 1M and 10M: the growth column compares them)
if (!only || only === "rules" || only === "anomalies")
  for (const n of sizes(process.env.BENCH_RULES_TRANSFERS, "1000000,10000000")) {
    const r = await benchRules(n, n >= 5_000_000 ? 10_000 : 1_000);
    cost("rules, next cycle after 10,000 new", n, r.rulesMs);
    figure({
      figure: `rules, next cycle after 10,000 new, on ${sizeName(n)}`,
      aim: "< 1 s",
      aimValue: 1000,
      measured: r.rulesMs,
      unit: "ms",
      lowerIsBetter: true,
    });
    if (r.detectMs === null || r.rescoreMs === null) continue;
    cost("anomalies, incremental after 10,000 new", n, r.detectMs);
    cost("anomalies, full re-score", n, r.rescoreMs);
    figure({
      figure: `anomalies, incremental after 10,000 new, on ${sizeName(n)}`,
      aim: "< 2 s",
      aimValue: 2000,
      measured: r.detectMs,
      unit: "ms",
      lowerIsBetter: true,
    });
    figure({
      figure: `anomalies, full re-score of ${sizeName(n)}`,
      aim: "< 60 s",
      aimValue: 60_000,
      measured: r.rescoreMs,
      unit: "ms",
      lowerIsBetter: true,
    });
  }
if (!only || only === "noise") await benchNoise();
if (!only || only === "dashboard") {
  const n = Number(process.env.BENCH_DASHBOARD_TRANSFERS ?? 1_000_000);
  const p95 = await benchDashboard(n, 1_000);
  for (const [path, ms] of p95)
    figure({
      figure: `dashboard ${path}, cold p95, ${sizeName(n)}`,
      aim: "< 100 ms",
      aimValue: 100,
      measured: ms,
      unit: "ms",
      lowerIsBetter: true,
    });
}
if (!only || only === "blocks") {
  const day = Number(process.env.BENCH_BLOCKS ?? 28_800);
  const r = await benchBlocks(day, Number(process.env.BENCH_WATCHED ?? 100_000));
  const name = `${day.toLocaleString("en-US")} mainnet-shaped blocks, 100,000 watched`;
  figure({
    figure: `follow ${name}: a day's blocks take`,
    aim: "< 30 min",
    aimValue: 30,
    measured: 28_800 / r.blocksPerSecond / 60,
    unit: "min",
    lowerIsBetter: true,
    digits: 1,
  });
  figure({
    figure: `follow ${name}: peak RSS`,
    aim: "< 1,024 MB",
    aimValue: 1024,
    measured: r.peakRssMb,
    unit: "MB",
    lowerIsBetter: true,
  });
  figure({
    figure: "follow: requests per block, 100,000 watched / 4 watched",
    aim: "the same (1.00)",
    aimValue: 1,
    measured: r.bigRequestsPerBlock / r.smallRequestsPerBlock,
    unit: "",
    lowerIsBetter: true,
    digits: 3,
  });
}
if (!only || only === "latency") {
  const [solid, fast] = await benchLatency(Number(process.env.BENCH_LATENCY_MINUTES ?? 2));
  for (const [r, aim] of [
    [solid, 60],
    [fast, 10],
  ] as const)
    figure({
      figure: `alert latency block → webhook, ${r.mode}, p95 (${r.alerts} alerts)`,
      aim: `< ${aim} s`,
      aimValue: aim,
      measured: r.p95,
      unit: "s",
      lowerIsBetter: true,
      digits: 1,
    });
  for (const [r, aim] of [
    [solid, 2],
    [fast, 3],
  ] as const)
    figure({
      figure: `live node requests per block, ${r.mode} (TronGrid's free 100,000 a day = 3.47 per block)`,
      aim: `<= ${aim}`,
      aimValue: aim,
      measured: r.requestsPerBlock,
      unit: "",
      lowerIsBetter: true,
      digits: 2,
    });
}
printReport();
