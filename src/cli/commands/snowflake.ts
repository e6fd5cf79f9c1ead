import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { applyScripts, deployScripts, scriptText } from "../../warehouse/snowflake/deploy.ts";
import { grantsOf, missing, whoAmI } from "../../warehouse/snowflake/doctor.ts";
import { snowflakeSession as session } from "../../warehouse/open.ts";
import type { GlobalOptions } from "../context.ts";
import { loadConfig, loadDotEnv } from "../../config/load.ts";
import { UsageError } from "../../internal/errors.ts";

/** `tronmon snowflake deploy [--dry-run | --out DIR]`: applies, prints or writes the deploy scripts. */
export async function snowflakeDeployCommand(
  opts: GlobalOptions & { dryRun?: boolean; out?: string },
): Promise<number> {
  const scripts = deployScripts();
  if (opts.out) {
    mkdirSync(opts.out, { recursive: true });
    for (const s of scripts) writeFileSync(join(opts.out, s.file), scriptText(s));
    process.stdout.write(`wrote ${scripts.map((s) => join(opts.out!, s.file)).join(", ")}\n`);
    return 0;
  }
  if (opts.dryRun) {
    for (const s of scripts) process.stdout.write(`-- ===== ${s.file}\n${scriptText(s)}\n`);
    return 0;
  }
  const { exec, settings } = await snowflakeSession(opts);
  const n = await applyScripts(exec, (file, i, total) => process.stdout.write(`\r${file}: ${i}/${total}   `));
  process.stdout.write(
    `\napplied ${n} statements to ${settings.database}.${settings.schema} as ${settings.role}; tasks resumed. Monitoring queries: sql/snowflake/check_etl_tasks.sql\n`,
  );
  return 0;
}

/** A connected session for the configured Snowflake account (settings validated first). */
async function snowflakeSession(opts: GlobalOptions) {
  loadDotEnv();
  const config = loadConfig(opts.config ?? "tronmon.config.yaml");
  if (config.warehouse.kind !== "snowflake") throw new UsageError("this needs warehouse.kind: snowflake in the config");
  return session(config.warehouse);
}

/** `tronmon check --connect` on Snowflake: connects and says what the role may not do, with the GRANT to fix it. */
export async function snowflakeDoctor(opts: GlobalOptions): Promise<number> {
  const { exec, settings } = await snowflakeSession(opts);
  const who = await whoAmI(exec);
  process.stdout.write(
    `connected to ${settings.account} as ${settings.user}: role ${who?.R}, warehouse ${who?.W ?? "(none)"}, ${who?.D ?? "?"}.${who?.S ?? "?"}, Snowflake ${who?.V}\n`,
  );
  const problems = missing(await grantsOf(exec, settings.role), settings.role, settings);
  for (const p of problems) process.stdout.write(`  ${p.sentence}\n`);
  const blocking = problems.filter((p) => !p.need.optional);
  process.stdout.write(
    blocking.length
      ? `${blocking.length} missing privilege(s): the pipeline cannot run until they are granted.\n`
      : "the role has what the pipeline needs.\n",
  );
  return blocking.length ? 2 : 0;
}
