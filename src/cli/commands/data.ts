// import, status, export, check, schema.
import { jsonValue } from "../../warehouse/types.ts";
import { existsSync, writeFileSync } from "node:fs";
import { loadContext, openWarehouse, parseIsoTime, type GlobalOptions } from "../context.ts";
import { importPaths } from "../../pipeline/import.ts";
import { configJsonSchema, loadConfig, loadDotEnv } from "../../config/load.ts";
import { snowflakeSettings } from "../../config/schema.ts";
import { InputError, UsageError } from "../../internal/errors.ts";
import { exportRows, EXPORT_FIELDS } from "../../export/tables.ts";
import { createRowWriter, openOutput, type Format } from "../../export/format.ts";
import { isAddress } from "../../normalize/address.ts";
import { table } from "../table.ts";
import { walletLags } from "../../health/checks.ts";
import { deliverySummary } from "../../notify/outbox.ts";
import { ENDPOINTS } from "../../model/rows.ts";

export async function importCommand(paths: string[], opts: GlobalOptions & { json?: boolean }): Promise<number> {
  const { config, logger } = loadContext(opts);
  const warehouse = await openWarehouse(config);
  try {
    await warehouse.syncWallets(config.wallets.map((w) => ({ address: w.address, label: w.label })));
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
    await warehouse.syncWallets(config.wallets.map((w) => ({ address: w.address, label: w.label })));
    const wallets = await warehouse.query<Record<string, string | null>>(`
      SELECT w.address, w.label,
        (SELECT min(synced_to_ms) FROM sync_cursors c WHERE c.wallet = w.address) AS synced_to_ms,
        (SELECT count(*) FROM sync_cursors c WHERE c.wallet = w.address AND c.synced_to_ms IS NOT NULL) AS endpoints_synced,
        (SELECT count(*) FROM sync_cursors c WHERE c.wallet = w.address AND c.walk_top_ms IS NOT NULL) AS walks_open,
        (SELECT count(DISTINCT transaction_id) FROM wallet_activity a WHERE a.wallet = w.address) AS transactions,
        (SELECT count(*) FROM wallet_activity a WHERE a.wallet = w.address AND a.kind = 'transfer') AS transfers,
        (SELECT count(*) FROM wallet_activity a WHERE a.wallet = w.address AND NOT a.confirmed) AS unconfirmed,
        (SELECT max(timestamp_ms) FROM wallet_activity a WHERE a.wallet = w.address) AS newest_ms
      FROM wallets w ORDER BY w.label, w.address`);
    const runs = await warehouse.query<Record<string, string | null>>(
      `SELECT run_id, command, started_at, ended_at, status, error, counts, ${warehouse.dialect.timestampToMs("ended_at")} - ${warehouse.dialect.timestampToMs("started_at")} AS duration_ms
       FROM runs ORDER BY started_at DESC LIMIT 10`,
    );
    const [q] = await warehouse.query<{ n: string }>("SELECT count(*) AS n FROM quarantine");
    const lags = await walletLags(warehouse, Date.now());
    const sinks = await deliverySummary(warehouse);
    const health = await warehouse.query<Record<string, string | null>>(
      "SELECT rule_name, wallet, value, threshold, status, first_seen_ms FROM alerts WHERE kind = 'health' AND status <> 'resolved' ORDER BY first_seen_ms",
    );
    const lagOf = new Map(lags.map((l) => [l.wallet, l.lagMinutes]));
    if (opts.json) {
      process.stdout.write(
        JSON.stringify(
          {
            wallets: wallets.map((w) => ({ ...w, lag_minutes: lagOf.get(String(w.address)) ?? null })),
            runs,
            quarantined: Number(q.n),
            sinks,
            health,
          },
          null,
          2,
        ) + "\n",
      );
      return 0;
    }
    const iso = (ms: string | null) => (ms ? new Date(Number(ms)).toISOString().slice(0, 19).replace("T", " ") : "-");
    process.stdout.write(
      table(
        wallets.map((w) => ({
          wallet: w.address,
          label: w.label,
          "synced to (UTC)":
            Number(w.endpoints_synced) >= ENDPOINTS.length
              ? iso(w.synced_to_ms)
              : `${w.endpoints_synced}/${ENDPOINTS.length} streams${w.walks_open !== "0" ? ", backfill under way" : ""}`,
          lag: lagOf.get(String(w.address)) == null ? "-" : `${lagOf.get(String(w.address))} min`,
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
          runs.map((r) => {
            const c = jsonValue<Record<string, number>>(r.counts) ?? {};
            return {
              run: r.run_id,
              command: r.command,
              started: r.started_at?.slice(0, 19),
              duration: r.duration_ms === null ? "-" : `${(Number(r.duration_ms) / 1000).toFixed(1)} s`,
              status: r.status,
              requests: c.requests ?? "-",
              "new transfers": c.transfersNew ?? "-",
              throttled: c.throttled ?? "-",
              error: r.error ? r.error.split("\n")[0].slice(0, 80) : null,
            };
          }),
        ) +
        "\n",
    );
    process.stdout.write(`\nquarantined records: ${q.n}\n`);
    const [v] = await warehouse.query<{ checks: string; missing: string; extra: string; last: string | null }>(
      `SELECT count(*) AS checks, count(CASE WHEN verdict IN ('missing', 'still missing') THEN 1 END) AS missing,
         count(CASE WHEN verdict = 'extra' THEN 1 END) AS extra, max(checked_ms) AS last FROM verify_results`,
    );
    const cost = config.wallets.length * ENDPOINTS.length * config.verify.days;
    process.stdout.write(
      `completeness (verify): ${v.checks} wallet-stream-days checked${v.last ? ` (last ${iso(v.last)})` : ""}, ${v.missing} still missing rows, ${v.extra} with more rows than the API counts; ` +
        `the rolling verify costs ${cost} requests (${config.wallets.length} wallets x ${ENDPOINTS.length} streams x ${config.verify.days} days)` +
        `${config.verify.every_cycles ? ` every ${config.verify.every_cycles} cycles` : " (off in watch)"}, plus a re-walk per day that disagrees\n`,
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

export { InputError };
