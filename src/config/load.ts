// Loading: YAML -> strict validation -> one ConfigError listing every problem with file and key path.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { configSchema, type Config } from "./schema.ts";
import { ConfigError } from "../internal/errors.ts";

export const DEFAULT_CONFIG_PATH = "tronmon.config.yaml";

function keyPath(path: PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), "") || "(root)";
}

export function loadConfig(file = DEFAULT_CONFIG_PATH): Config {
  const path = resolve(file);
  if (!existsSync(path)) throw new ConfigError(file, [`file not found (${path}); copy tronmon.config.yaml from the repository or pass --config`]);
  const doc = parseDocument(readFileSync(path, "utf8"), { prettyErrors: true });
  if (doc.errors.length) throw new ConfigError(file, doc.errors.map((e) => `YAML syntax: ${e.message.split("\n")[0]}`));
  return parseConfig(doc.toJS(), file);
}

export function parseConfig(raw: unknown, file = "(inline)"): Config {
  const parsed = configSchema.safeParse(raw ?? {});
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => {
    if (i.code === "unrecognized_keys") return `${keyPath(i.path)}: unknown key${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => JSON.stringify(k)).join(", ")}`;
    return `${keyPath(i.path)}: ${i.message}`;
  });
  problems.push(...duplicateWallets(raw), ...duplicateRules(raw));
  if (parsed.success && !problems.length) return parsed.data;
  throw new ConfigError(file, problems);
}

function duplicateRules(raw: unknown): string[] {
  const rules = (raw as { rules?: unknown })?.rules;
  if (!Array.isArray(rules)) return [];
  const seen = new Map<unknown, number>();
  const out: string[] = [];
  rules.forEach((r, i) => {
    const n = (r as { name?: unknown })?.name;
    if (typeof n !== "string") return;
    const prev = seen.get(n);
    if (prev !== undefined) out.push(`rules[${i}].name: ${JSON.stringify(n)} is used twice (also rules[${prev}])`);
    else seen.set(n, i);
  });
  return out;
}

function duplicateWallets(raw: unknown): string[] {
  const wallets = (raw as { wallets?: unknown })?.wallets;
  if (!Array.isArray(wallets)) return [];
  const seen = new Map<unknown, number>();
  const out: string[] = [];
  wallets.forEach((w, i) => {
    const a = (w as { address?: unknown })?.address;
    if (typeof a !== "string") return;
    const prev = seen.get(a);
    if (prev !== undefined) out.push(`wallets[${i}].address: ${a} is listed twice (also wallets[${prev}])`);
    else seen.set(a, i);
  });
  return out;
}

/** Environment from the process and `.env` (the process wins). */
export function loadDotEnv(dir = process.cwd()): void {
  const p = resolve(dir, ".env");
  if (existsSync(p)) process.loadEnvFile(p);
}

export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" });
}
