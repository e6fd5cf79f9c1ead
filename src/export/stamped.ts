// Files named by a UTC stamp (`<out>/<kind>/<kind>_<YYYYMMDDTHHMMSSZ>.json`), never overwriting one.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function writeStampedJson(outDir: string, kind: string, nowMs: number, value: unknown): string {
  const dir = join(outDir, kind);
  mkdirSync(dir, { recursive: true });
  const stamp = new Date(nowMs)
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/[-:]/g, "");
  let file = join(dir, `${kind}_${stamp}.json`);
  for (let i = 2; existsSync(file); i++) file = join(dir, `${kind}_${stamp}_${i}.json`);
  writeFileSync(file, JSON.stringify(value, null, 2) + "\n");
  return file;
}
