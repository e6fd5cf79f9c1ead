import type { Config } from "../../config/schema.ts";
import {
  createClient,
  createNodeClientFor,
  loadContext,
  openReader,
  openWarehouse,
  type GlobalOptions,
} from "../context.ts";
import { serveDashboard } from "../../dashboard/server.ts";
import { assertAccess, tokensFromEnv } from "../../dashboard/access.ts";
import { watch } from "../../service/watch.ts";
import { realClock } from "../../service/schedule.ts";
import { UsageError } from "../../internal/errors.ts";
import { scheduleSchema } from "../../config/schema.ts";

export type WatchCommandOptions = GlobalOptions & {
  metricsPort?: string;
  metricsHost?: string;
  cycles?: string;
  every?: string;
  cron?: string;
  dashboard?: boolean;
  port?: string;
  host?: string;
  onDashboard?: (url: string) => void;
};

const portOf = (v: string | undefined, flag: string) => {
  const port = v === undefined ? undefined : Number(v);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536))
    throw new UsageError(`${flag} ${JSON.stringify(v)} is not a port number`);
  return port;
};

/**
 * `tronmon watch`: exits 0 on SIGINT/SIGTERM after abandoning the current cycle cleanly; a second signal exits at
 * once.
 */
export async function watchCommand(opts: WatchCommandOptions): Promise<number> {
  const port = portOf(opts.metricsPort, "watch: --metrics-port");
  const dashboardPort = portOf(opts.port, "watch: --port") ?? 8501;
  const host = opts.host ?? "127.0.0.1";
  const tokens = opts.dashboard ? tokensFromEnv() : [];
  if (opts.dashboard) assertAccess(host, tokens);
  const maxCycles = opts.cycles === undefined ? undefined : Number(opts.cycles);
  if (maxCycles !== undefined && !(Number.isInteger(maxCycles) && maxCycles > 0))
    throw new UsageError(`watch: --cycles ${JSON.stringify(opts.cycles)} is not a positive integer`);
  const { config, logger } = loadContext(opts); // a terminal shows warnings and errors unless --log-level says otherwise
  if (opts.every || opts.cron) {
    const parsed = scheduleSchema.safeParse({ every: opts.every ?? config.schedule.every, cron: opts.cron ?? null });
    if (!parsed.success)
      throw new UsageError(
        `watch: ${parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join("; ")}`,
      );
    config.schedule = parsed.data;
  }
  const warehouse = await openWarehouse(config);
  // the dashboard reads through its own connection to the same database (DuckDB: one process, many connections)
  const dash = opts.dashboard
    ? await serveDashboard({
        warehouse: await openReader(config),
        outDir: config.output.dir,
        ...deskSettings(config),
        host,
        port: dashboardPort,
        logger,
        tokens,
      })
    : null;
  if (dash) {
    logger.info({ msg: "Serving the dashboard", url: dash.url });
    (opts.onDashboard ?? ((url: string) => process.stdout.write(`dashboard: ${url}\n`)))(dash.url);
  }
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: string) => {
    signals++;
    if (signals > 1) {
      logger.warn({ msg: "Second signal: exiting now", signal: sig });
      process.exit(130);
    }
    logger.warn({ msg: "Stopping: abandoning the current cycle at its next step", signal: sig });
    controller.abort(new Error(`${sig} received`));
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  try {
    await watch({
      config,
      warehouse,
      logger,
      clock: realClock,
      signal: controller.signal,
      maxCycles,
      client: (m) =>
        createClient(config, logger, (path, status) => m.requests.inc({ endpoint: path, status: String(status) })),
      nodeClient: () => createNodeClientFor(config, logger),
      metricsPort: port,
      metricsHost: opts.metricsHost,
      // the dashboard's overview is computed right after each cycle, not when someone first opens it
      onCycle: (n) => {
        // one line per cycle on stdout (the terminal's log shows only warnings and errors); details: tronmon status
        process.stdout.write(`cycle ${n} finished ${new Date().toISOString().slice(0, 19).replace("T", " ")} UTC\n`);
        void dash
          ?.warm()
          .catch((e) => logger.warn({ msg: "Could not pre-compute the dashboard", error: (e as Error).message }));
      },
    });
  } finally {
    await dash?.close();
    await warehouse.close();
  }
  return 0;
}

/** A second handle on the (already open, migrated) database: its own connection. */
/** `tronmon dashboard`: serves the dashboard alone (no cycles). */
export async function dashboardCommand(opts: GlobalOptions & { port?: string; host?: string }): Promise<number> {
  const port = portOf(opts.port, "dashboard: --port") ?? 8501;
  const host = opts.host ?? "127.0.0.1";
  const tokens = tokensFromEnv();
  assertAccess(host, tokens);
  const { config, logger } = loadContext(opts);
  const warehouse = await openWarehouse(config);
  const dash = await serveDashboard({
    warehouse,
    outDir: config.output.dir,
    host,
    port,
    logger,
    tokens,
    ...deskSettings(config),
  });
  process.stdout.write(`dashboard: ${dash.url}  (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await dash.close();
  await warehouse.close();
  return 0;
}

/** What the dashboard's desk takes from the config: the default reopen factor and each wallet's profile. */
const deskSettings = (config: Config) => ({
  reopenFactor: config.triage.reopen_factor,
  profiles: Object.fromEntries(config.wallets.map((w) => [w.address, w.profile])),
});
