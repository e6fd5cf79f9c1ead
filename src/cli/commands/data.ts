// import, status, export, check, schema.
import { existsSync, writeFileSync } from "node:fs";
import { loadContext, openWarehouse, parseIsoTime, type GlobalOptions } from "../context.ts";
import { importPaths } from "../../pipeline/import.ts";
import { configJsonSchema, loadConfig, loadDotEnv } from "../../config/load.ts";
import { snowflakeSettings } from "../../config/schema.ts";
import { InputError, UsageError } from "../../internal/errors.ts";
import { exportRows, EXPORT_FIELDS } from "../../export/table-rows.ts";
import { createRowWriter, openOutput, type Format } from "../../export/format.ts";
import { isAddress } from "../../model/address.ts";
import { table } from "../table.ts";
import { statusReport } from "../../reports/status.ts";
import { describeSettings, walletSettings } from "../../anomalies/settings.ts";
import { ENDPOINTS } from "../../model/rows.ts";

export async function importCommand(paths: string[], opts: GlobalOptions & { json?: boolean }): Promise<number> {
  const { config, logger } = loadContext(opts);
  const warehouse = await openWarehouse(config);
  try {
    await warehouse.setWallets(config.wallets.map((w) => ({ address: w.address, label: w.label })));
    const s = await importPaths({
      paths,
      warehouse,
      logger,
      outDir: config.output.dir,
      structured: config.output.structured,
    });
    if (opts.json) process.stdout.write(JSON.stringify(s, null, 2) + "\n");
    else {
      process.stdout.write(
        `imported ${s.files} files, ${s.records} records: ${s.transactionsNew} new / ${s.transactionsUpdated} updated transactions, ${s.transfersNew} new / ${s.transfersUpdated} updated transfers, ${s.quarantined} quarantined, ${s.skipped} skipped (approvals)\n`,
      );
      for (const r of s.rejectedFiles) process.stdout.write(`  skipped ${r.file}: ${r.reason}\n`);
    }
    return 0;
  } finally {
    await warehouse.close();
  }
}

export async function statusCommand(opts: GlobalOptions & { json?: boolean }): Promise<number> {
  const { config } = loadContext(opts);
  const warehouse = await openWarehouse(config);
  try {
    await warehouse.setWallets(config.wallets.map((w) => ({ address: w.address, label: w.label })));
    const report = await statusReport(warehouse, Date.now(), { runs: 10, walletCounts: true });
    const { wallets, runs, sinks, verify: v } = report;
    const health = report.health.filter((h) => h.status !== "resolved");
    if (opts.json) {
      const out = { wallets, runs, quarantined: report.quarantined, sinks, health };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    }
    const iso = (ms: unknown) => (ms ? new Date(Number(ms)).toISOString().slice(0, 19).replace("T", " ") : "-");
    process.stdout.write(
      table(
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
      ) + "\n\n",
    );
    process.stdout.write(
      "last runs:\n" +
        table(
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
        ) +
        "\n",
    );
    process.stdout.write(`\nquarantined records: ${report.quarantined}\n`);
    const b = report.blocks;
    if (b)
      process.stdout.write(
        `block source: followed ${b.from === null ? "to block" : `blocks ${b.from}–`}${b.cursor} (${b.cursor_time}, ${b.age_seconds} s ago)` +
          (b.tip === null ? "" : `; fast lane (unconfirmed) to block ${b.tip} (${b.tip_time})`) +
          // a recorded head below the cursor is from an older follow: nothing to say about the lag now
          (b.head === null || b.head < b.cursor
            ? "\n"
            : `; ${b.lag_blocks} blocks (${b.lag_seconds} s) behind the solidified head ${b.head} at the last recorded follow\n`),
      );
    const cost = config.wallets.length * ENDPOINTS.length * config.verify.days;
    process.stdout.write(
      `completeness (verify): ${v.certified.toLocaleString("en-US")} wallet-stream-days certified` +
        `${v.certified_from !== null ? ` since ${iso(v.certified_from)?.slice(0, 10)}` : ""}` +
        `${v.last_ms ? ` (last verify ${iso(v.last_ms)})` : ""}, ${v.missing} still missing rows, ` +
        `${v.unreliable ? `${v.unreliable} with a count no walk meets, ` : ""}${v.extra} with more rows than the API counts; ` +
        `the rolling verify costs about ${cost} requests (${config.wallets.length} wallets x ${ENDPOINTS.length} streams x ${config.verify.days} days)` +
        `${config.verify.every_cycles ? ` every ${config.verify.every_cycles} cycles` : " (off in watch)"}, plus 1-2 per run of uncertified older days ` +
        `(about 2 x log2(days) more per day that disagrees) and a re-walk per day that disagrees\n`,
    );
    if (health.length)
      process.stdout.write(
        "\nhealth alerts:\n" +
          table(
            health.map((h) => ({
              rule: h.rule_name,
              wallet: h.wallet,
              value: h.value,
              threshold: h.threshold,
              status: h.status,
              since: iso(h.first_seen_ms),
            })),
          ) +
          "\n",
      );
    if (sinks.length)
      process.stdout.write(
        "\nnotifications:\n" +
          table(
            sinks.map((x) => ({
              sink: x.sink,
              delivered: x.delivered,
              pending: x.pending,
              "given up": x.given_up,
              failing: x.failing,
              "last error": x.last_error?.slice(0, 80) ?? null,
            })),
          ) +
          "\n",
      );
    return 0;
  } finally {
    await warehouse.close();
  }
}

export async function exportCommand(
  kind: string,
  opts: GlobalOptions & { format: string; wallet?: string; since?: string; out?: string },
): Promise<number> {
  if (kind !== "transfers" && kind !== "transactions")
    throw new UsageError(`export: unknown table "${kind}" (use transactions, transfers, alerts or anomalies)`);
  if (opts.format !== "ndjson" && opts.format !== "csv")
    throw new UsageError(`export: --format must be ndjson or csv, not "${opts.format}"`);
  if (opts.wallet && !isAddress(opts.wallet))
    throw new UsageError(`export: --wallet ${JSON.stringify(opts.wallet)} is not a valid TRON address`);
  const sinceMs = opts.since === undefined ? undefined : parseIsoTime(opts.since, "--since", "export");
  const { config } = loadContext(opts);
  const warehouse = await openWarehouse(config);
  try {
    const out = openOutput(opts.out);
    const write = createRowWriter(out, opts.format as Format, EXPORT_FIELDS[kind]);
    let n = 0;
    for await (const rows of exportRows(warehouse, kind, { wallet: opts.wallet, sinceMs })) {
      await write(rows);
      n += rows.length;
      if (out.stopped) break; // the reader went away (| head): nothing more to say
    }
    if (opts.format === "csv" && n === 0) await write([]);
    await out.close();
    if (opts.out) process.stderr.write(`wrote ${n} ${kind} to ${opts.out}\n`);
    return 0;
  } finally {
    await warehouse.close();
  }
}

export function checkCommand(opts: GlobalOptions): number {
  loadDotEnv();
  const path = opts.config ?? "tronmon.config.yaml";
  const config = loadConfig(path);
  const key = process.env[config.source.api_key_env];
  process.stdout.write(
    `${path}: OK — ${config.wallets.length} wallets, warehouse ${config.warehouse.kind === "duckdb" ? `duckdb (${config.warehouse.path})` : "snowflake"}, source ${config.source.base_url} (${key ? "API key set" : `no API key in ${config.source.api_key_env}: ${config.source.requests_per_second} requests/s`})\n`,
  );
  if (config.warehouse.kind === "snowflake") {
    const sf = snowflakeSettings(config.warehouse);
    process.stdout.write(
      `  snowflake: account ${sf.account ?? "?"}, user ${sf.user ?? "?"}, role ${sf.role ?? "?"}, warehouse ${sf.warehouse ?? "?"}, ${sf.database ?? "?"}.${sf.schema ?? "?"}, ${sf.authenticator} (${sf.secretEnv})\n`,
    );
    if (sf.missing.length) throw new InputError(`${path}: Snowflake settings missing: ${sf.missing.join(", ")}`);
    const keyPath = process.env.SNOWFLAKE_PRIVATE_KEY_PATH;
    if (sf.authenticator === "key_pair" && keyPath && !existsSync(keyPath))
      throw new InputError(`${path}: SNOWFLAKE_PRIVATE_KEY_PATH=${keyPath}: no such file (a PKCS#8 .p8 private key)`);
  }
  for (const w of config.wallets)
    process.stdout.write(
      `  detectors for ${w.label ?? w.address}${w.profile ? ` (profile ${w.profile})` : ""}: ` +
        `${describeSettings(walletSettings(config, w.address))}\n`,
    );
  for (const sink of config.notify.sinks.filter((x) => x.enabled)) {
    const missing = [sink.url_env, sink.secret_env, sink.token_env].filter((v): v is string => !!v && !process.env[v]);
    process.stdout.write(
      `  sink ${sink.name} (${sink.kind}): ${missing.length ? `WARNING: ${missing.join(", ")} not set in the environment or .env — its deliveries will fail until it is` : "ready"}\n`,
    );
  }
  return 0;
}

export function schemaCommand(opts: { out?: string }): number {
  const text = JSON.stringify(configJsonSchema(), null, 2) + "\n";
  if (opts.out) writeFileSync(opts.out, text);
  else process.stdout.write(text);
  return 0;
}
