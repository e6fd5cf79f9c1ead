import { ALL_QUIRKS, Emulator, parseFaults, parseQuirks } from "../../emulator/server.ts";
import { UsageError } from "../../internal/errors.ts";
import { parseIsoTime } from "../context.ts";
import { toJson } from "../../emulator/render.ts";
import { parseMix } from "../../emulator/history.ts";
import { SOLIDIFY_BLOCKS } from "../../emulator/node.ts";

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
  node?: boolean;
  reorgs?: string;
  speed?: string;
  mix?: string;
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
  const reorgs = o.reorgs === undefined ? (o.node ? 0.02 : 0) : Number(o.reorgs);
  if (!(reorgs >= 0 && reorgs <= 1))
    throw new UsageError(`emulator: --reorgs must be a share between 0 and 1, not ${JSON.stringify(o.reorgs)}`);
  const speed = o.speed === undefined ? 1 : Number(o.speed);
  if (!(speed > 0 && speed <= 1000))
    throw new UsageError(`emulator: --speed must be above 0 and at most 1000, not ${JSON.stringify(o.speed)}`);
  let mix;
  try {
    mix = parseMix(o.mix);
  } catch (e) {
    throw new UsageError(`emulator: --mix: ${(e as Error).message}`);
  }
  return new Emulator({
    seed,
    days,
    clock: o.clock,
    nowMs,
    faults,
    quirks,
    latencyMs: o.latency ? Number(o.latency) : 0,
    reorgs,
    speed,
    mix,
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
  if (o.node || emu.reorgs > 0)
    process.stderr.write(
      `  java-tron node API on the same port (point node.base_url here): /wallet/getnowblock  /walletsolidity/getnowblock  ` +
        `/wallet/getblockbylimitnext  /wallet/getblockbynum  /wallet/gettransactioninfobyblocknum  (a block every ` +
        `${3 / (o.speed === undefined ? 1 : Number(o.speed))} s, solidified ${SOLIDIFY_BLOCKS} blocks behind the head, ` +
        `tip reorgs on ${(emu.reorgs * 100).toFixed(1)}% of blocks; /__emulator/reorgs?rate=p)\n`,
    );
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}
