import { ALL_QUIRKS, Emulator, parseFaults, parseQuirks } from "../../emulator/server.ts";
import { UsageError } from "../../internal/errors.ts";
import { parseIsoTime } from "../context.ts";
import { toJson } from "../../emulator/render.ts";

export type EmulatorCliOptions = {
  port: string;
  host: string;
  seed: string;
  faults?: string;
  quirks?: string;
  days: string;
  clock: string;
  now?: string;
  latency?: string;
  printTruth?: boolean;
};

export function emulatorFromOptions(o: EmulatorCliOptions): Emulator {
  const seed = Number(o.seed);
  const days = Number(o.days);
  if (!Number.isInteger(seed))
    throw new UsageError(`emulator: --seed must be an integer, not ${JSON.stringify(o.seed)}`);
  if (!(days > 0 && days <= 400))
    throw new UsageError(`emulator: --days must be between 0 and 400, not ${JSON.stringify(o.days)}`);
  if (o.clock !== "real" && o.clock !== "manual") throw new UsageError(`emulator: --clock must be real or manual`);
  const nowMs = o.now === undefined ? undefined : parseIsoTime(o.now, "--now", "emulator");
  let faults;
  try {
    faults = parseFaults(o.faults);
  } catch (e) {
    throw new UsageError(`emulator: --faults: ${(e as Error).message}`);
  }
  let quirks;
  try {
    quirks = parseQuirks(o.quirks === "all" ? ALL_QUIRKS : o.quirks);
  } catch (e) {
    throw new UsageError(`emulator: --quirks: ${(e as Error).message}`);
  }
  return new Emulator({
    seed,
    days,
    clock: o.clock,
    nowMs,
    faults,
    quirks,
    latencyMs: o.latency ? Number(o.latency) : 0,
  });
}

export async function emulatorCommand(o: EmulatorCliOptions): Promise<number> {
  const emu = emulatorFromOptions(o);
  if (o.printTruth) {
    process.stdout.write(toJson(emu.truth(emu.wallets.map((w) => w.address))) + "\n");
    return 0;
  }
  const port = Number(o.port);
  const server = await emu.listen(port, o.host);
  const addr = server.address();
  const actual = typeof addr === "object" && addr ? addr.port : port;
  process.stderr.write(
    `TronScan emulator on http://${o.host}:${actual} (seed ${o.seed}, ${emu.history.txs.length} transactions, clock ${o.clock}, faults ${o.faults ?? "none"}, quirks ${o.quirks ?? "none"})\n` +
      `  control: /__emulator/health  /__emulator/truth  /__emulator/advance?minutes=N  /__emulator/faults?spec=...  /__emulator/quirks?spec=...  /__emulator/stats\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}
