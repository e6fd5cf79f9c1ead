import { createClient, loadContext, openWarehouse, type GlobalOptions } from "../context.ts";
import { watch } from "../../service/watch.ts";
import { realClock } from "../../service/schedule.ts";
import { UsageError } from "../../internal/errors.ts";
import { scheduleSchema } from "../../config/schema.ts";

export type WatchCommandOptions = GlobalOptions & { metricsPort?: string; metricsHost?: string; cycles?: string; every?: string; cron?: string };

/** `tronmon watch`: exits 0 on SIGINT/SIGTERM after abandoning the current cycle cleanly; a second signal exits at once. */
export async function watchCommand(opts: WatchCommandOptions): Promise<number> {
  const port = opts.metricsPort === undefined ? undefined : Number(opts.metricsPort);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) throw new UsageError(`watch: --metrics-port ${JSON.stringify(opts.metricsPort)} is not a port number`);
  const maxCycles = opts.cycles === undefined ? undefined : Number(opts.cycles);
  if (maxCycles !== undefined && !(Number.isInteger(maxCycles) && maxCycles > 0)) throw new UsageError(`watch: --cycles ${JSON.stringify(opts.cycles)} is not a positive integer`);
  const { config, logger } = loadContext({ ...opts, logLevel: opts.logLevel ?? "info" });
  if (opts.every || opts.cron) {
    const parsed = scheduleSchema.safeParse({ every: opts.every ?? config.schedule.every, cron: opts.cron ?? null });
    if (!parsed.success) throw new UsageError(`watch: ${parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join("; ")}`);
    config.schedule = parsed.data;
  }
  const warehouse = await openWarehouse(config);
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: string) => {
    signals++;
    if (signals > 1) {
      logger.warn({ msg: "Second signal: exiting now", signal: sig });
      process.exit(130);
    }
    logger.info({ msg: "Stopping: abandoning the current cycle at its next step", signal: sig });
    controller.abort(new Error(`${sig} received`));
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  try {
    await watch({
      config, warehouse, logger, clock: realClock, signal: controller.signal, maxCycles,
      client: (m) => createClient(config, logger, (path, status) => m.requests.inc({ endpoint: path, status: String(status) })),
      metricsPort: port, metricsHost: opts.metricsHost,
    });
  } finally {
    await warehouse.close();
  }
  return 0;
}
