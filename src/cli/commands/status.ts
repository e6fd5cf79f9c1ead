// `tronmon status`: per-wallet sync state, the last runs, quarantine, the block source, completeness, open health
// alerts and notification delivery.
import { loadContext, openWarehouse, type GlobalOptions } from "../context.ts";
import { table } from "../table.ts";
import { type StatusReport, statusReport } from "../../reports/status.ts";
import { ENDPOINTS } from "../../model/rows.ts";
import type { Config } from "../../config/schema.ts";

const iso = (ms: unknown) => (ms ? new Date(Number(ms)).toISOString().slice(0, 19).replace("T", " ") : "-");
const out = (text: string) => process.stdout.write(text);

export async function statusCommand(opts: GlobalOptions & { json?: boolean }): Promise<number> {
  const { config } = loadContext(opts);
  const warehouse = await openWarehouse(config);
  try {
    await warehouse.setWallets(config.wallets.map((w) => ({ address: w.address, label: w.label })));
    const report = await statusReport(warehouse, Date.now(), { runs: 10, walletCounts: true });
    const { wallets, runs, sinks } = report;
    const health = report.health.filter((h) => h.status !== "resolved");
    if (opts.json) {
      out(`${JSON.stringify({ wallets, runs, quarantined: report.quarantined, sinks, health }, null, 2)}\n`);
      return 0;
    }
    out(walletsTable(report) + "\n\n");
    out("last runs:\n" + runsTable(report) + "\n");
    out(`\nquarantined records: ${report.quarantined}\n`);
    out(blocksLine(report));
    out(verifyLine(report, config));
    if (health.length) out("\nhealth alerts:\n" + healthTable(health) + "\n");
    if (sinks.length) out("\nnotifications:\n" + sinksTable(report) + "\n");
    return 0;
  } finally {
    await warehouse.close();
  }
}

function walletsTable({ wallets }: StatusReport): string {
  return table(
    wallets.map((w) => ({
      wallet: w.address,
      label: w.label,
      "synced to (UTC)":
        Number(w.endpoints_synced) >= ENDPOINTS.length
          ? iso(w.synced_to_ms)
          : `${w.endpoints_synced}/${ENDPOINTS.length} streams${w.walks_open !== "0" ? ", backfill under way" : ""}`,
      lag: w.lag_minutes === null ? "-" : `${w.lag_minutes} min`,
      transactions: w.transactions,
      transfers: w.transfers,
      unconfirmed: w.unconfirmed,
      "newest activity": iso(w.newest_ms),
    })),
  );
}

function runsTable({ runs }: StatusReport): string {
  return table(
    runs.map((r) => ({
      run: r.run_id,
      command: r.command,
      started: r.started_at?.slice(0, 19).replace("T", " "),
      duration: r.duration_ms === null ? "-" : `${(r.duration_ms / 1000).toFixed(1)} s`,
      status: r.status,
      requests: r.requests ?? "-",
      "new transfers": r.transfers_new ?? "-",
      throttled: r.throttled ?? "-",
      error: r.error ? String(r.error).split("\n")[0].slice(0, 80) : null,
    })),
  );
}

function blocksLine({ blocks: b }: StatusReport): string {
  if (!b) return "";
  return (
    `block source: followed ${b.from === null ? "to block" : `blocks ${b.from}–`}${b.cursor} (${b.cursor_time}, ${b.age_seconds} s ago)` +
    (b.tip === null ? "" : `; fast lane (unconfirmed) to block ${b.tip} (${b.tip_time})`) +
    // a recorded head below the cursor is from an older follow: nothing to say about the lag now
    (b.head === null || b.head < b.cursor
      ? "\n"
      : `; ${b.lag_blocks} blocks (${b.lag_seconds} s) behind the solidified head ${b.head} at the last recorded follow\n`)
  );
}

function verifyLine({ verify: v }: StatusReport, config: Config): string {
  const cost = config.wallets.length * ENDPOINTS.length * config.verify.days;
  return (
    `completeness (verify): ${v.certified.toLocaleString("en-US")} wallet-stream-days certified` +
    `${v.certified_from !== null ? ` since ${iso(v.certified_from)?.slice(0, 10)}` : ""}` +
    `${v.last_ms ? ` (last verify ${iso(v.last_ms)})` : ""}, ${v.missing} still missing rows, ` +
    `${v.unreliable ? `${v.unreliable} with a count no walk meets, ` : ""}${v.extra} with more rows than the API counts; ` +
    `the rolling verify costs about ${cost} requests (${config.wallets.length} wallets x ${ENDPOINTS.length} streams x ${config.verify.days} days)` +
    `${config.verify.every_cycles ? ` every ${config.verify.every_cycles} cycles` : " (off in watch)"}, plus 1-2 per run of uncertified older days ` +
    `(about 2 x log2(days) more per day that disagrees) and a re-walk per day that disagrees\n`
  );
}

function healthTable(health: StatusReport["health"]): string {
  return table(
    health.map((h) => ({
      rule: h.rule_name,
      wallet: h.wallet,
      value: h.value,
      threshold: h.threshold,
      status: h.status,
      since: iso(h.first_seen_ms),
    })),
  );
}

function sinksTable({ sinks }: StatusReport): string {
  return table(
    sinks.map((x) => ({
      sink: x.sink,
      delivered: x.delivered,
      pending: x.pending,
      "given up": x.given_up,
      failing: x.failing,
      "last error": x.last_error?.slice(0, 80) ?? null,
    })),
  );
}
