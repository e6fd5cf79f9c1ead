// Loading: YAML -> strict validation -> one ConfigError listing every problem with file and key path.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { configSchema, type Config, DEFAULT_PROFILES } from "./schema.ts";
import { ConfigError } from "../internal/errors.ts";

export const DEFAULT_CONFIG_PATH = "tronmon.config.yaml";

function keyPath(path: PropertyKey[]): string {
  return (
    path.reduce<string>(
      (acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)),
      "",
    ) || "(root)"
  );
}

export function loadConfig(file = DEFAULT_CONFIG_PATH): Config {
  const path = resolve(file);
  if (!existsSync(path))
    throw new ConfigError(file, [
      `file not found (${path}); copy tronmon.config.yaml from the repository or pass --config`,
    ]);
  const doc = parseDocument(readFileSync(path, "utf8"), { prettyErrors: true });
  if (doc.errors.length)
    throw new ConfigError(
      file,
      doc.errors.map((e) => `YAML syntax: ${e.message.split("\n")[0]}`),
    );
  return parseConfig(doc.toJS(), file);
}

export function parseConfig(raw: unknown, file = "(inline)"): Config {
  const parsed = configSchema.safeParse(raw ?? {});
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => {
        if (i.code === "unrecognized_keys")
          return `${keyPath(i.path)}: unknown key${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => JSON.stringify(k)).join(", ")}`;
        return `${keyPath(i.path)}: ${i.message}`;
      });
  problems.push(...duplicates(raw, "wallets", "address"), ...duplicates(raw, "rules", "name"));
  if (parsed.success) problems.push(...unknownProfiles(parsed.data));
  if (parsed.success && !problems.length) return parsed.data;
  throw new ConfigError(file, problems);
}

/** Entries of a list that repeat a field's value: "rules[3].name: ... is used twice (also rules[1])". */
function duplicates(raw: unknown, list: "wallets" | "rules", field: "address" | "name"): string[] {
  const items = (raw as Record<string, unknown> | null)?.[list];
  if (!Array.isArray(items)) return [];
  const seen = new Map<unknown, number>();
  const out: string[] = [];
  items.forEach((item, i) => {
    const v = (item as Record<string, unknown> | null)?.[field];
    if (typeof v !== "string") return;
    const prev = seen.get(v);
    if (prev !== undefined)
      out.push(
        `${list}[${i}].${field}: ${list === "wallets" ? v : JSON.stringify(v)} is ${list === "wallets" ? "listed" : "used"} twice (also ${list}[${prev}])`,
      );
    else seen.set(v, i);
  });
  return out;
}

/** Wallets naming a profile that neither the shipped ones nor anomalies.profiles define. */
function unknownProfiles(config: Config): string[] {
  const known = new Set([...Object.keys(DEFAULT_PROFILES), ...Object.keys(config.anomalies.profiles)]);
  return config.wallets.flatMap((w, i) =>
    w.profile && !known.has(w.profile)
      ? [`wallets[${i}].profile: ${JSON.stringify(w.profile)} is not a profile (known: ${[...known].join(", ")})`]
      : [],
  );
}

/** Environment from the process and `.env` (the process wins). */
export function loadDotEnv(dir = process.cwd()): void {
  const p = resolve(dir, ".env");
  if (existsSync(p)) process.loadEnvFile(p);
}

export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" });
}
