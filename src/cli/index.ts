// tronmon: the command line. Exit codes: see README ("Exit codes").
import { Command, CommanderError, Option } from "commander";
import { scrubUrls } from "../internal/scrub.ts";
import { followCommand } from "./commands/follow.ts";
import { verifyCommand } from "./commands/verify.ts";
import { runCommand } from "./commands/run.ts";
import { dashboardCommand, watchCommand } from "./commands/watch.ts";
import { snowflakeDeployCommand, snowflakeDoctor } from "./commands/snowflake.ts";
import { loadConfig } from "../config/load.ts";
import { withWarehouse } from "./context.ts";
import { checkCommand, exportCommand, importCommand, schemaCommand } from "./commands/data.ts";
import { statusCommand } from "./commands/status.ts";
import { emulatorCommand } from "./commands/emulator.ts";
import { demoCommand } from "./commands/demo.ts";
import { anomaliesListCommand, detectCommand, exportAnomaliesCommand } from "./commands/anomalies.ts";
import {
  alertsActCommand,
  alertsListCommand,
  backtestCommand,
  evaluateCommand,
  exportAlertsCommand,
  rulesEditCommand,
  rulesListCommand,
} from "./commands/rules.ts";
import { metricsCommand } from "./commands/metrics.ts";
import { listsBackfillCommand, listsDiffCommand, listsImportCommand, listsShowCommand } from "./commands/lists.ts";
import { BaseError } from "../internal/errors.ts";
import { registerTriage } from "./triage-cli.ts";

const program = new Command("tronmon")
  .description("TRON wallet monitoring: TronScan -> exact normalized rows -> DuckDB")
  // a usage error the parser catches (unknown option, bad choice) exits 2 like ours, not commander's 1
  .exitOverride()
  .option("-c, --config <file>", "config file", "tronmon.config.yaml")
  .option("--db <file>", "DuckDB file (overrides warehouse.path)")
  .addOption(
    new Option("--log-level <level>", "terminal/file log level").choices(["trace", "debug", "info", "warn", "error"]),
  )
  .showHelpAfterError()
  .addHelpText(
    "after",
    `
Exit codes: 0 ok; 1 unexpected error; 2 bad config, arguments or input; 3 TronScan or the node refused a request
(400/401/404, a redirect); 4 warehouse error; 5 the node's chain cannot be followed (fork, bogus head or block);
73 database in use by another process; 75 TronScan or the node unreachable or failing (temporary); 130 interrupted.`,
  );

const g = () => program.opts<{ config: string; db?: string; logLevel?: string }>();
let exitCode = 0;
const wrap =
  <A extends unknown[]>(fn: (...a: A) => Promise<number> | number) =>
  async (...a: A) => {
    exitCode = await fn(...a);
  };

program
  .command("run")
  .description("one cycle: sync every watched wallet on every endpoint, print a summary per wallet")
  .option("--json", "print the run summary as JSON")
  .action(wrap((o: { json?: boolean }) => runCommand({ ...g(), ...o })));

program
  .command("watch")
  .description(
    "run a cycle now and then on the schedule (default every 10 minutes); notify; serve metrics. What `npm start` runs",
  )
  .option("--metrics-port <port>", "serve /health, /ready and Prometheus /metrics on this port")
  .option("--metrics-host <host>", "address to bind the metrics server to", "127.0.0.1")
  .option("--every <duration>", "override schedule.every (e.g. 10m, 30s)")
  .option("--cron <expr>", "override schedule.cron (UTC)")
  .option("--cycles <n>", "stop after this many cycles (tests, soak runs)")
  .option("--dashboard", "also serve the dashboard from this process")
  .option("--port <port>", "dashboard port", "8501")
  .option("--host <host>", "dashboard address (not loopback: needs TRONMON_DASHBOARD_TOKENS)", "127.0.0.1")
  .action(
    wrap(
      (o: {
        metricsPort?: string;
        metricsHost?: string;
        every?: string;
        cron?: string;
        cycles?: string;
        dashboard?: boolean;
        port?: string;
        host?: string;
      }) => watchCommand({ ...g(), ...o }),
    ),
  );

program
  .command("dashboard")
  .description("serve the web dashboard (read-only on the data; alerts can be acknowledged or resolved)")
  .option("--port <port>", "port", "8501")
  .option("--host <host>", "address (not loopback: needs TRONMON_DASHBOARD_TOKENS)", "127.0.0.1")
  .action(wrap((o: { port?: string; host?: string }) => dashboardCommand({ ...g(), ...o })));

program
  .command("import")
  .description("load saved pages (our raw archive, TronScan envelopes, the original bare arrays) from files or folders")
  .argument("<paths...>", "files (.json, .json.gz) or folders")
  .option("--json", "print the summary as JSON")
  .action(wrap((paths: string[], o: { json?: boolean }) => importCommand(paths, { ...g(), ...o })));

program
  .command("follow")
  .description(
    "follow the chain from a node (config node:) to the solidified head: watched wallets' movements, block by block",
  )
  .option("--blocks <n>", "at most this many blocks (default: node.max_blocks_per_run)")
  .option("--node-url <url>", "the node's HTTP API (overrides node.base_url)")
  .option("--json", "print the counts as JSON")
  .option(
    "--rewind-to <block>",
    "first move the cursor back to this block (a fork or a reorg below the solidified head): rows above it are " +
      "marked unconfirmed and confirmed or dropped as the blocks are followed again",
  )
  .addHelpText(
    "after",
    "\nExit 5: the node's chain cannot be followed (a fork, a bogus head, a block dated in the future); nothing past it loaded.",
  )
  .action(
    wrap((o: { blocks?: string; nodeUrl?: string; json?: boolean; rewindTo?: string }) =>
      followCommand({ ...g(), ...o }),
    ),
  );

program
  .command("verify")
  .description(
    "per wallet x stream x UTC day: rows stored against the API's own count; --repair re-walks the days that disagree",
  )
  .option("--wallet <address>", "one watched wallet")
  .option(
    "--from <date>",
    "first UTC day, every day from it checked (default: every day since source.history_start not yet certified)",
  )
  .option("--to <date>", "last UTC day (default: today)")
  .option("--repair", "re-walk each day that has fewer rows than the API counts, then check it again")
  .option("--recheck", "also check the days certified earlier")
  .option("--all", "list the days that agree too")
  .option("--json", "print as JSON")
  .action(
    wrap(
      (o: {
        wallet?: string;
        from?: string;
        to?: string;
        repair?: boolean;
        all?: boolean;
        json?: boolean;
        recheck?: boolean;
      }) => verifyCommand({ ...g(), ...o }),
    ),
  );

program
  .command("status")
  .description("per wallet: synced-to time, row counts; the last runs")
  .option("--json", "print as JSON")
  .action(wrap((o: { json?: boolean }) => statusCommand({ ...g(), ...o })));

program
  .command("export")
  .description("export transactions, transfers or alerts as NDJSON or CSV")
  .argument("<table>", "transactions | transfers | alerts | anomalies")
  .addOption(new Option("--format <format>", "output format").choices(["ndjson", "csv"]).default("ndjson"))
  .option("--wallet <address>", "only rows touching this wallet")
  .option("--since <date>", "only rows at or after this ISO 8601 time")
  .option("--out <file>", "write to a file instead of stdout")
  .action(
    wrap((table: string, o: { format: string; wallet?: string; since?: string; out?: string }) =>
      table === "alerts"
        ? exportAlertsCommand({ ...g(), ...o })
        : table === "anomalies"
          ? exportAnomaliesCommand({ ...g(), ...o })
          : exportCommand(table, { ...g(), ...o }),
    ),
  );

program
  .command("detect")
  .description("score what was loaded since the last detection for anomalies; export the new ones")
  .option("--now <iso>", "detect as of this time (burst windows)")
  .option("--json", "print the summary as JSON")
  .action(wrap((o: { now?: string; json?: boolean }) => detectCommand({ ...g(), ...o })));
const anomalies = program.command("anomalies").description("anomalies found by the detectors");
anomalies
  .command("list")
  .description("list anomalies, newest first")
  .option("--type <type>", "one anomaly type")
  .option("--wallet <wallet>", "one wallet (address or label)")
  .addOption(new Option("--severity <s>", "this severity and above").choices(["info", "warning", "critical"]))
  .option("--json", "print as JSON")
  .option("--limit <n>", "at most this many", "200")
  .action(
    wrap((o: { type?: string; json?: boolean; limit?: string; wallet?: string; severity?: string }) =>
      anomaliesListCommand({ ...g(), ...o }),
    ),
  );

const lists = program
  .command("lists")
  .description("risk lists (sanctions, Tether's freezes, your own) and their versions")
  .option("--sync", "read the configured lists (risk.lists) now, whether due or not")
  .option("--json", "print as JSON")
  .action(wrap((o: { json?: boolean; sync?: boolean }) => listsShowCommand({ ...g(), ...o })));
lists
  .command("import")
  .description(
    "load a list file as the next version of list N (TXT, CSV address,category,note, JSON, SDN_ADVANCED.XML)",
  )
  .argument("<file>", "the list file")
  .requiredOption("--name <name>", "the list's name (lowercase, digits, . _ -)")
  .option("--category <category>", "category of entries that do not name one", "listed")
  .addOption(new Option("--kind <kind>", "what the list is").choices(["sanctions", "custom"]).default("custom"))
  .option("--retrieved <date>", "when the file was published (default: now)")
  .option("--json", "print as JSON")
  .addHelpText(
    "after",
    "\nInvalid addresses are reported (file:line) and not loaded. Exit 2: the file cannot be read as its format; nothing imported.",
  )
  .action(
    wrap((file: string, o: { name?: string; category?: string; kind?: string; retrieved?: string; json?: boolean }) =>
      listsImportCommand(file, { ...g(), ...o }),
    ),
  );
lists
  .command("diff")
  .description("what a version of a list added and removed (default: the latest against the one before)")
  .argument("<name>", "the list")
  .option("--from <version>", "the older version")
  .option("--to <version>", "the newer version")
  .option("--json", "print as JSON")
  .action(
    wrap((name: string, o: { from?: string; to?: string; json?: boolean }) => listsDiffCommand(name, { ...g(), ...o })),
  );
lists
  .command("backfill-freezes")
  .description(
    "Tether's USDT blacklist events of a window from TronGrid's event API (node.base_url) into tether-frozen",
  )
  .option("--since <date>", "window start (ISO 8601)")
  .option("--until <date>", "window end (default: now)")
  .option("--json", "print as JSON")
  .addHelpText(
    "after",
    "\nRe-asks until nothing new comes (TronGrid's paging can stop early). Running it again, or over blocks the follower read, adds nothing. Exit 75: TronGrid unreachable.",
  )
  .action(wrap((o: { since?: string; until?: string; json?: boolean }) => listsBackfillCommand({ ...g(), ...o })));

program
  .command("metrics")
  .description("per-wallet metrics, and per wallet and token over 7 days, 30 days and all time")
  .option("--wallet <address>", "one wallet")
  .option("--json", "print as JSON")
  .option("--now <iso>", "evaluate as of this time")
  .action(wrap((o: { wallet?: string; json?: boolean; now?: string }) => metricsCommand({ ...g(), ...o })));

program
  .command("evaluate")
  .description("evaluate every enabled rule over the windows ending now; open, update, resolve and export alerts")
  .option("--now <iso>", "evaluate as of this time (tests, backtests)")
  .option("--json", "print the summary as JSON")
  .action(wrap((o: { now?: string; json?: boolean }) => evaluateCommand({ ...g(), ...o })));

const rules = program
  .command("rules")
  .description("threshold rules (kept in the config file, synced to alert_thresholds)");
rules
  .command("list")
  .description("list the rules")
  .option("--json", "print as JSON")
  .action(wrap((o: { json?: boolean }) => rulesListCommand({ ...g(), ...o })));
rules
  .command("set")
  .description("create or change a rule in the config file")
  .argument("<name>", "rule name")
  .option("--threshold <value>", "fires above this (volume rules: token units)")
  .option("--period-days <n>", "window in days")
  .addOption(new Option("--kind <kind>", "count | volume | exposure").choices(["count", "volume", "exposure"]))
  .addOption(
    new Option("--measure <m>", "exposure rules: share (percent of inbound value) or amount").choices([
      "share",
      "amount",
    ]),
  )
  .option("--token <id>", "volume or exposure token: TRC20 contract, TRC10 id or _")
  .addOption(new Option("--direction <d>").choices(["in", "out", "any"]))
  .option("--wallets <list>", "comma-separated addresses, or all")
  .option("--enable", "enable the rule")
  .action(wrap((name: string, o: Record<string, string | boolean>) => rulesEditCommand(name, o, g())));
rules
  .command("disable")
  .description("disable a rule in the config file")
  .argument("<name>", "rule name")
  .action(wrap((name: string) => rulesEditCommand(name, { disable: true }, g())));
rules
  .command("backtest")
  .description("replay evaluation day by day over stored history; print when alerts would have opened and closed")
  .requiredOption("--from <date>", "first day (ISO)")
  .requiredOption("--to <date>", "last day (ISO)")
  .option("--json", "print as JSON")
  .action(wrap((o: { from: string; to: string; json?: boolean }) => backtestCommand({ ...g(), ...o })));

const alerts = program.command("alerts").description("alerts raised by the rules");
alerts
  .command("list")
  .description("list alerts")
  .option("--status <status>", "open | acknowledged | resolved | active")
  .option("--wallet <wallet>", "one wallet (address or label)")
  .option("--rule <name>", "one rule (or health check)")
  .addOption(
    new Option("--severity <s>", "warning (rules) or critical (health checks)").choices(["warning", "critical"]),
  )
  .option("--json", "print as JSON")
  .action(
    wrap((o: { status?: string; json?: boolean; wallet?: string; rule?: string; severity?: string }) =>
      alertsListCommand({ ...g(), ...o }),
    ),
  );
alerts
  .command("ack")
  .description("acknowledge an alert")
  .argument("<id>", "alert id")
  .requiredOption("--note <text>", "why")
  .option("--by <name>", "who (default: the OS user)")
  .action(wrap((id: string, o: { note: string; by?: string }) => alertsActCommand("ack", id, { ...g(), ...o })));

registerTriage({ program, alerts, anomalies, g, wrap });

program
  .command("check")
  .description(
    "validate the config file and exit; --connect also connects (Snowflake: reports the role's missing privileges)",
  )
  .option("--connect", "connect to the warehouse and check what the pipeline needs")
  .action(
    wrap(async (o: { connect?: boolean }) => {
      const code = checkCommand(g());
      if (code || !o.connect) return code;
      if (loadConfig(g().config ?? "tronmon.config.yaml").warehouse.kind === "snowflake") return snowflakeDoctor(g());
      await withWarehouse(
        g(),
        async ({ warehouse }) => {
          process.stdout.write(`connected: ${warehouse.description}\n`);
        },
        false,
      );
      return 0;
    }),
  );

program
  .command("schema")
  .description("print the JSON Schema of the config file (for editors)")
  .option("--out <file>", "write to a file")
  .action(wrap((o: { out?: string }) => schemaCommand(o)));

const snowflake = program.command("snowflake").description("Snowflake: in-warehouse automation scripts");
snowflake
  .command("deploy")
  .description(
    "apply the deploy scripts to the configured account (tables, views, procedures, tasks); --dry-run prints them, --out DIR writes them",
  )
  .option("--dry-run", "print the scripts instead of applying them")
  .option("--out <dir>", "write the scripts to this folder (sql/snowflake is generated this way)")
  .action(wrap((o: { dryRun?: boolean; out?: string }) => snowflakeDeployCommand({ ...g(), ...o })));

program
  .command("emulator")
  .description("serve a faithful TronScan emulator over a deterministic synthetic history")
  .option("--port <port>", "port", "8590")
  .option("--host <host>", "bind address", "127.0.0.1")
  .option("--seed <n>", "history seed", "1")
  .option("--days <n>", "days of history", "45")
  .option("--faults <spec>", "e.g. 429:0.05,403:0.05,500:0.05,502:0.02,slow:0.01,truncated:0.03,short:0.1")
  .option(
    "--quirks <spec>",
    "how the real API misbehaves, e.g. cap20,holes:0.1,empty:0.05,error200:0.05,unstable,ignore_end:internal,nocount:internal (or: all)",
  )
  .option("--clock <mode>", "real (new activity as time passes) | manual (/__emulator/advance)", "real")
  .option("--now <iso>", "virtual time at start (default: now)")
  .option("--latency <ms>", "delay every answer")
  .option("--print-truth", "print the ground truth for the default wallets and exit")
  .option("--node", "announce the java-tron node endpoints it also serves (follow, source.live: node); tip reorgs 0.02")
  .option("--reorgs <share>", "share of blocks first served in a replaced version while in the unsolidified tip")
  .option("--speed <n>", "with --clock real: virtual time runs n times faster (a block every 3/n s)")
  .option("--mix <spec>", "weights of generated activity, e.g. usdt_in:50,internal_in:10,failed_usdt:5,trc10_in:4")
  .action(wrap((o) => emulatorCommand(o)));

program
  .command("demo")
  .description(
    "offline demo: emulator + backfill + incremental cycle into a demo DuckDB, then watch with the dashboard",
  )
  .option("--port <port>", "emulator port (0: any free port)", "0")
  .option("--days <n>", "days of synthetic history", "30")
  .option("--dir <dir>", "where the demo writes its database, config and files", "out/demo")
  .option("--dashboard-port <port>", "dashboard port", "8501")
  .option("--no-serve", "exit after the two cycles instead of watching with the dashboard")
  .action(
    wrap((o: { port: string; days: string; dir: string; serve: boolean; dashboardPort: string }) => demoCommand(o)),
  );

// a reader that stops early (`tronmon status | head -1`) is not an error
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });

try {
  await program.parseAsync(process.argv);
  process.exitCode = exitCode;
} catch (e) {
  if (e instanceof CommanderError) {
    // the parser has printed its message; help and --version are not errors
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (e instanceof BaseError) {
    process.stderr.write(`tronmon: ${scrubUrls(e.message)}\n`);
    process.exitCode = e.exitCode;
  } else {
    process.stderr.write(`tronmon: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  }
}
