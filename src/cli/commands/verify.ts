// `tronmon verify`: per wallet × stream × UTC day, the rows stored against the API's count; --repair re-walks
// the days that disagree and checks them again.
import { createClient, loadContext, openWarehouse, parseIsoTime, type GlobalOptions } from "../context.ts";
import { createSyncDeps } from "../../pipeline/sync-all.ts";
import { newRunId } from "../../pipeline/outputs.ts";
import { historyStartMs, verify, verifyBudget, type DayCheck } from "../../pipeline/verify.ts";
import { utcDay } from "../../model/time.ts";
import { isAddress } from "../../model/address.ts";
import { UsageError } from "../../internal/errors.ts";
import { table } from "../table.ts";

export type VerifyOptions = GlobalOptions & {
  wallet?: string;
  from?: string;
  to?: string;
  repair?: boolean;
  json?: boolean;
  all?: boolean;
  recheck?: boolean;
};

const day = (value: string | undefined, flag: string) =>
  value === undefined ? undefined : parseIsoTime(value, flag, "verify");

export async function verifyCommand(opts: VerifyOptions): Promise<number> {
  if (opts.wallet && !isAddress(opts.wallet))
    throw new UsageError(`verify: --wallet ${JSON.stringify(opts.wallet)} is not a valid TRON address`);
  const from = day(opts.from, "--from");
  const to = day(opts.to, "--to");
  const { config, logger } = loadContext(opts);
  if (opts.wallet && !config.wallets.some((w) => w.address === opts.wallet))
    throw new UsageError(`verify: ${opts.wallet} is not a watched wallet (see the config's wallets)`);
  const nowMs = Date.now();
  const toMs = to ?? nowMs;
  // by default every day since the history start not yet certified (today always); --from: every day from there
  const fromMs = from ?? historyStartMs(config);
  const recheckFromMs = opts.recheck || from !== undefined ? fromMs : utcDay(nowMs);
  if (fromMs > toMs) throw new UsageError("verify: --from is after --to");
  const warehouse = await openWarehouse(config);
  try {
    await warehouse.setWallets(config.wallets.map((w) => ({ address: w.address, label: w.label })));
    const deps = await createSyncDeps({
      config,
      warehouse,
      client: createClient(config, logger),
      runId: newRunId(nowMs),
      nowMs,
      logger,
    });
    const wallets = opts.wallet ? [opts.wallet] : config.wallets.map((w) => w.address);
    const shown: DayCheck[] = [];
    const v = await verify({
      deps,
      wallets,
      fromMs,
      toMs,
      repair: Boolean(opts.repair),
      recheckFromMs,
      budget: verifyBudget(config),
      onDay: (d) => {
        if (!opts.json && process.stderr.isTTY) process.stderr.write(`\rchecked ${shown.push(d)} wallet-stream-days`);
      },
    });
    if (!opts.json && process.stderr.isTTY) process.stderr.write("\n");
    if (opts.json)
      process.stdout.write(
        JSON.stringify(
          { ...v, days: v.days.map((d) => ({ ...d, day: new Date(d.dayMs).toISOString().slice(0, 10) })) },
          null,
          2,
        ) + "\n",
      );
    else {
      const rows = v.days.filter((d) => opts.all || d.verdict !== "ok");
      const label = new Map(config.wallets.map((w) => [w.address, w.label ?? ""]));
      if (rows.length) {
        process.stdout.write(
          table(
            rows.map((d) => ({
              day: new Date(d.dayMs).toISOString().slice(0, 10),
              wallet: `${label.get(d.wallet) ?? ""} ${d.wallet}`.trim(),
              stream: d.endpoint,
              "API count": d.api ?? "-",
              stored: d.stored,
              verdict: d.verdict,
              // a block-followed day missing rows: the blocks lack what TronScan lists; extra: the other way round
              "rows from": d.rowsFrom ?? "tronscan",
            })),
          ) + "\n",
        );
      }
      const ok = v.days.filter((d) => d.verdict === "ok").length;
      const count = (verdict: string) => v.days.filter((d) => d.verdict === verdict).length;
      process.stdout.write(
        `${v.days.length} wallet-stream-days checked from ${new Date(utcDay(fromMs)).toISOString().slice(0, 10)} to ${new Date(utcDay(Math.min(toMs, nowMs))).toISOString().slice(0, 10)}` +
          `${v.certifiedBefore ? ` (${v.certifiedBefore.toLocaleString("en-US")} more certified earlier and untouched since)` : ""}: ` +
          `${ok} ok, ${v.missing} missing rows${opts.repair ? ` (${v.repaired} repaired, ${v.stillMissing} still missing)` : ""}, ` +
          `${v.unreliable ? `${v.unreliable} days whose count no walk within verify.max_repair_requests meets (unreliable), ` : ""}` +
          `${count("extra")} with more rows than the API counts, ${count("no count")} without a count; ` +
          `${v.requests} requests${rows.length < v.days.length && !opts.all ? " (--all lists the days that agree too)" : ""}\n`,
      );
      if (v.unchecked)
        process.stdout.write(
          `NOT CHECKED: ${v.unchecked.toLocaleString("en-US")} wallet-stream-days (verify.max_requests ${config.verify.max_requests} spent): run verify again\n`,
        );
    }
    const gaps = (opts.repair ? v.stillMissing + v.unreliable : v.missing) + v.unchecked;
    return gaps ? 1 : 0;
  } finally {
    await warehouse.close();
  }
}
