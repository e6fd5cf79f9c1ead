// `npm run demo`: the whole pipeline offline — emulator, backfill, an incremental cycle, status.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { Emulator, parseQuirks } from "../../emulator/server.ts";
import { verifyCommand } from "./verify.ts";
import { ORIGINAL_WALLETS } from "../../emulator/history.ts";
import { blockOf } from "../../emulator/chain.ts";
import { followCommand } from "./follow.ts";
import { runCommand } from "./run.ts";
import { watchCommand } from "./watch.ts";
import { statusCommand } from "./status.ts";
import { loadContext, openWarehouse } from "../context.ts";
import { anomalyCounts } from "../../anomalies/anomaly-store.ts";
import { openAlertCounts } from "../../rules/alert-store.ts";
import { tokenVolumes } from "../../warehouse/activity/metrics.ts";
import { table } from "../table.ts";
import { formatUnits, groupThousands } from "../../model/amount.ts";
import { tokenText } from "../../model/tokens.ts";
import { DAY_MS } from "../../model/time.ts";

const DEMO_QUIRKS = "holes:0.05,empty:0.03,error200:0.02,unstable";

type DemoOptions = { port: string; days: string; dir: string; serve?: boolean; dashboardPort?: string };

const say = (s: string) => process.stdout.write(`\n\x1b[1m== ${s}\x1b[0m\n`);

export async function demoCommand(opts: DemoOptions): Promise<number> {
  // The emulated chain runs 70 minutes behind the wall clock, so the activity it adds when it is moved
  // on by 15 minutes is still in the past for the second cycle.
  // It misbehaves the way the real API does (pages with rows missing, spurious empty pages, errors inside
  // HTTP 200, rows of one timestamp in another order on every request): the sync proves each stretch complete.
  const emu = new Emulator({
    seed: 7,
    days: Number(opts.days),
    clock: "real",
    latencyMs: 2,
    nowMs: Date.now() - 70 * 60_000,
    quirks: parseQuirks(DEMO_QUIRKS),
  });
  const server = await emu.listen(Number(opts.port), "127.0.0.1");
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : Number(opts.port);
  const { configPath, dbPath } = writeDemoConfig(opts.dir, port, emu);
  try {
    say(
      `TronScan emulator on http://127.0.0.1:${port}: ${emu.history.txs.length} synthetic transactions over ${opts.days} days for the 4 original wallets; misbehaving like the real API (${DEMO_QUIRKS})`,
    );
    const code = await runPipeline(configPath, emu);
    await showResults(configPath, emu, opts.dir);
    if (opts.serve === false || code) return code;
    say("Watching: a cycle every minute against the emulator, with the dashboard (Ctrl-C to stop)");
    process.stdout.write(
      `  The emulator misbehaves on purpose (${DEMO_QUIRKS}): warnings such as "Retrying a request to TronScan …\n` +
        `  an error inside HTTP 200: invalid API key (code 403)" are those deliberate faults, each retried; the sync\n` +
        "  still proves every stretch complete. Real faults read the same: the log file has every one.\n",
    );
    return await watchCommand({
      config: configPath,
      every: "1m",
      dashboard: true,
      port: opts.dashboardPort ?? "8501",
      host: "127.0.0.1",
      logLevel: "warn",
      onDashboard: (url) =>
        process.stdout.write(
          `\n  \x1b[1mDashboard: ${url}\x1b[0m   (emulator: http://127.0.0.1:${port}, database: ${dbPath})\n\n`,
        ),
    });
  } finally {
    server.close();
  }
}

/** The demo's config: the four original wallets against the emulator, DuckDB and outputs in `dir`. */
function writeDemoConfig(dir: string, port: number, emu: Emulator): { configPath: string; dbPath: string } {
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, "tronmon.demo.yaml");
  const config = {
    // the four wallets are exchanges, as in the shipped config: the exchange profile keeps the feed readable
    wallets: ORIGINAL_WALLETS.map((w) => ({ address: w.address, label: w.label, profile: "exchange" })),
    source: {
      base_url: `http://127.0.0.1:${port}`,
      requests_per_second: 200,
      requests_per_second_with_key: 200,
      burst: 20,
      concurrency: 4,
      timeout_ms: 10000,
      max_retries: 6,
      retry_base_delay_ms: 200,
      history_start: null,
      overlap_minutes: 10,
      pending_max_age_hours: 6,
    },
    // the emulator serves a node's endpoints too: `tronmon follow` reads the same hour from its blocks
    node: {
      base_url: `http://127.0.0.1:${port}`,
      requests_per_second: 500,
      start_block: blockOf(emu.now()),
    },
    warehouse: { kind: "duckdb", path: join(dir, "demo.duckdb") },
    output: { dir, raw_archive: true, structured: true },
    logging: { file: "logs/etl_tronscan.log", level: "info" },
  };
  writeFileSync(
    configPath,
    "# Written by `npm run demo`: the emulator's address and demo paths.\n" + stringify(config),
  );
  return { configPath, dbPath: config.warehouse.path };
}

/** Backfill, an incremental cycle an hour later, the same hour from blocks, status, verify. */
async function runPipeline(configPath: string, emu: Emulator): Promise<number> {
  say("Cycle 1: full backfill (Binance-Cold 4 has more rows than TronScan's 10,000-row window)");
  let code = await runCommand({ config: configPath, logLevel: "error" });
  emu.advance(60 * 60_000);
  say(
    "Cycle 2, an hour of chain activity later: only what is new (plus a short overlap); unconfirmed rows get confirmed",
  );
  code ||= await runCommand({ config: configPath, logLevel: "error" });
  say(
    "The same hour from the chain's blocks (tronmon follow, the emulator's node endpoints): every block once, parents checked, " +
      "the requests do not depend on how many wallets are watched; the movements TronScan gave are the same rows (same ids), so few or none are new",
  );
  code ||= await followCommand({ config: configPath, logLevel: "error" });
  say("Status");
  await statusCommand({ config: configPath });
  say("Completeness: every wallet x stream x UTC day of the last 3 days against the API's own count (tronmon verify)");
  await verifyCommand({
    config: configPath,
    from: new Date(emu.now() - 2 * DAY_MS).toISOString().slice(0, 10),
    logLevel: "error",
  });
  return code;
}

/** Volumes per wallet and token, alerts and anomalies, and what to try next. */
async function showResults(configPath: string, emu: Emulator, dir: string): Promise<void> {
  say("Volume per wallet and token over the last 30 days (successful transfers, exact amounts, never mixing tokens)");
  const { config: cfg } = loadContext({ config: configPath });
  const w = await openWarehouse(cfg);
  const rows = await tokenVolumes(w, emu.now() - 30 * DAY_MS);
  const alerts = await openAlertCounts(w);
  const anomalies = await anomalyCounts(w);
  await w.close();
  // exact: the decimal string of the raw integer, thousands grouped — never through a float
  const fmt = (raw: string, d: string) => groupThousands(formatUnits(BigInt(raw), Number(d)));
  const volumes = rows.map((r) => ({
    wallet: r.wallet,
    token: tokenText(r.token_id, r.token_symbol, r.token_name),
    contract: r.token_id === "_" ? "(native)" : r.token_id,
    transfers: r.transfers,
    in: fmt(r.in_raw, r.token_decimals),
    out: fmt(r.out_raw, r.token_decimals),
  }));
  process.stdout.write(table(volumes) + "\n");
  say("Alerts and anomalies (details: tronmon alerts list / tronmon anomalies list, with --config)");
  const examples = anomalies.map((a) => ({
    ...a,
    example: a.example.length > 150 ? a.example.slice(0, 147) + "..." : a.example,
  }));
  process.stdout.write(table(alerts) + "\n\n" + table(examples) + "\n");
  say("Try it yourself (once the watch below is stopped: the watching process holds the database)");
  process.stdout.write(
    `  node bin/tronmon.js status --config ${configPath}\n  node bin/tronmon.js export transfers --format csv --config ${configPath} --out ${join(dir, "transfers.csv")}\n  node bin/tronmon.js anomalies list --type address_poisoning --config ${configPath}\n  raw pages: ${join(dir, "raw")}/   normalized rows: ${join(dir, "structured")}/   log: logs/etl_tronscan.log\n`,
  );
}
