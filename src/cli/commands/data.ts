// import, export, check, schema.
import { existsSync, writeFileSync } from "node:fs";
import { loadContext, openWarehouse, parseIsoTime, type GlobalOptions } from "../context.ts";
import { importPaths } from "../../pipeline/import.ts";
import { configJsonSchema, loadConfig, loadDotEnv } from "../../config/load.ts";
import { snowflakeSettings } from "../../config/schema.ts";
import { InputError, UsageError } from "../../internal/errors.ts";
import { exportRows, EXPORT_FIELDS } from "../../export/table-rows.ts";
import { createRowWriter, openOutput, type Format } from "../../export/format.ts";
import { isAddress } from "../../model/address.ts";
import { describeSettings, walletSettings } from "../../anomalies/settings.ts";

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
