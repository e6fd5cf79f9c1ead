import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deployScripts, scriptText } from "../../warehouse/snowflake/deploy.ts";
import { UsageError } from "../../internal/errors.ts";

/** `tronmon snowflake deploy --dry-run [--out DIR]`: prints (or writes) the deploy scripts. */
export function snowflakeDeployCommand(opts: { dryRun?: boolean; out?: string }): number {
  const scripts = deployScripts();
  if (opts.out) {
    mkdirSync(opts.out, { recursive: true });
    for (const s of scripts) writeFileSync(join(opts.out, s.file), scriptText(s));
    process.stdout.write(`wrote ${scripts.map((s) => join(opts.out!, s.file)).join(", ")}\n`);
    return 0;
  }
  if (!opts.dryRun) {
    throw new UsageError("snowflake deploy: applying the scripts needs the Snowflake adapter, which is not built yet (issue 7): use --dry-run (or --out DIR) and run the files in a worksheet or with `snow sql -f`");
  }
  for (const s of scripts) process.stdout.write(`-- ===== ${s.file}\n${scriptText(s)}\n`);
  return 0;
}
