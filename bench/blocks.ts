// Following a day of mainnet-shaped blocks (bench/chain.ts, in its own process) with 100,000 watched addresses:
// blocks per second, peak RSS, requests per day; then a stretch with 4 watched addresses, to show the requests do
// not depend on how many wallets are watched. BENCH_BLOCKS (default 28,800), BENCH_WATCHED (default 100,000).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { addressFromHex } from "../src/model/address.ts";
import { followBlocks } from "../src/pipeline/follow-blocks.ts";
import { createNodeClient } from "../src/source/node/client.ts";
import { createDuckDbWarehouse } from "../src/warehouse/duckdb/index.ts";
import { addressHex, WATCHED_POOL } from "./chain.ts";
import { stmt } from "../test/stmt.ts";

const FIRST = 1_000_000;

async function startChain(count: number) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "chain.ts"), String(FIRST), String(count)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (l) => resolve(Number(l)));
    child.once("exit", (code) => reject(new Error(`the chain double exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

export type BlocksResult = {
  blocks: number;
  seconds: number;
  blocksPerSecond: number;
  peakRssMb: number;
  /** The JavaScript side of it (heap and buffers); the rest is DuckDB's and the runtime's. */
  peakHeapMb: number;
  requests: number;
  requestsPerDay: number;
  transfers: number;
  transactions: number;
  smallRequestsPerBlock: number;
  bigRequestsPerBlock: number;
};

async function follow(url: string, watched: Set<string>, blocks: number, progress: boolean) {
  const dir = mkdtempSync(join(tmpdir(), "tronmon-blocks-"));
  const warehouse = await createDuckDbWarehouse({ path: join(dir, "blocks.duckdb"), memoryLimit: "512MB" });
  await warehouse.migrate();
  const client = createNodeClient({ baseUrl: url, requestsPerSecond: 100_000, burst: 1000, maxRetries: 2 });
  let peak = process.memoryUsage().rss;
  let peakHeap = 0;
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed + m.external);
  }, 100);
  const t0 = performance.now();
  let done = 0;
  while (done < blocks) {
    const step = Math.min(1000, blocks - done);
    const r = await followBlocks({
      client,
      warehouse,
      watched,
      startBlock: FIRST,
      maxBlocks: step,
      runId: "bench-blocks",
      nowMs: Date.now,
    });
    done += r.blocks;
    if (r.blocks === 0) break;
    if (progress && process.stdout.isTTY) {
      const s = (performance.now() - t0) / 1000;
      process.stdout.write(
        `\r  followed ${done.toLocaleString("en-US")} / ${blocks.toLocaleString("en-US")} blocks, ${(done / s).toFixed(0)} blocks/s, ` +
          `${r.transfersNew} new transfers in the last ${r.blocks}   `,
      );
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sample);
  if (progress && process.stdout.isTTY) process.stdout.write("\n");
  const [c] = await warehouse.query<{ transfers: string; transactions: string }>(
    stmt("SELECT (SELECT count(*) FROM transfers) AS transfers, (SELECT count(*) FROM transactions) AS transactions"),
  );
  await warehouse.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    done,
    seconds,
    peakRssMb: peak / 2 ** 20,
    peakHeapMb: peakHeap / 2 ** 20,
    requests: client.stats.requests,
    transfers: Number(c.transfers),
    transactions: Number(c.transactions),
  };
}

export async function benchBlocks(blocks: number, watchedCount: number): Promise<BlocksResult> {
  const chain = await startChain(blocks);
  try {
    const watched = new Set<string>();
    for (let k = 0; k < Math.min(watchedCount, WATCHED_POOL); k++) watched.add(addressFromHex(`41${addressHex(k)}`));
    console.log(
      `\n== Blocks: following ${blocks.toLocaleString("en-US")} mainnet-shaped blocks (~300 transactions each) with ${watched.size.toLocaleString("en-US")} watched addresses`,
    );
    const big = await follow(chain.url, watched, blocks, true);
    const few = new Set([...watched].slice(0, 4));
    const sample = Math.min(blocks, 600);
    const small = await follow(chain.url, few, sample, false);
    const r: BlocksResult = {
      blocks: big.done,
      seconds: big.seconds,
      blocksPerSecond: big.done / big.seconds,
      peakRssMb: big.peakRssMb,
      peakHeapMb: big.peakHeapMb,
      requests: big.requests,
      requestsPerDay: (big.requests / big.done) * 28_800,
      transfers: big.transfers,
      transactions: big.transactions,
      smallRequestsPerBlock: small.requests / small.done,
      bigRequestsPerBlock: big.requests / big.done,
    };
    console.log(
      `  ${r.blocks.toLocaleString("en-US")} blocks in ${r.seconds.toFixed(1)} s: ${r.blocksPerSecond.toFixed(0)} blocks/s ` +
        `(${(r.blocksPerSecond * 3).toFixed(0)}× real time; a day in ${(28_800 / r.blocksPerSecond / 60).toFixed(1)} min), ` +
        `peak RSS ${r.peakRssMb.toFixed(0)} MB (JavaScript heap and buffers ${r.peakHeapMb.toFixed(0)} MB), ${r.transfers.toLocaleString("en-US")} watched transfers and ` +
        `${r.transactions.toLocaleString("en-US")} transactions stored`,
    );
    console.log(
      `  requests: ${r.requests.toLocaleString("en-US")} (${r.requestsPerDay.toFixed(0)} a day of blocks: a range call per 100 blocks, ` +
        `an info call per block with contract calls); per block ${r.bigRequestsPerBlock.toFixed(3)} with ${watched.size.toLocaleString("en-US")} ` +
        `watched vs ${r.smallRequestsPerBlock.toFixed(3)} with 4 (first ${sample} blocks)`,
    );
    return r;
  } finally {
    chain.stop();
  }
}

if (process.argv[1]?.endsWith("blocks.ts")) {
  await benchBlocks(Number(process.env.BENCH_BLOCKS ?? 28_800), Number(process.env.BENCH_WATCHED ?? 100_000));
}
