// The log file: JSON lines, rotated by size, secrets redacted.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/internal/logger.ts";
import { tempDir } from "./helpers.ts";

describe("log file", () => {
  it("rotates at max_size keeping max_files; every line is JSON; secrets are redacted", async () => {
    const dir = tempDir();
    const file = join(dir, "logs/etl_tronscan.log");
    const log = createLogger({ file, level: "info", terminal: false, maxSize: "10K", maxFiles: 2 });
    for (let i = 0; i < 400; i++)
      log.info({ msg: "Synced wallet endpoint", i, apiKey: "sk-live-123456", padding: "x".repeat(60) });
    await new Promise((r) => setTimeout(r, 1000)); // rotation and writes are asynchronous
    const files = readdirSync(join(dir, "logs")).sort();
    expect(files[0]).toBe("etl_tronscan.log");
    expect(files.length).toBeGreaterThanOrEqual(2); // rotated at least once (60 kB written, 10 kB per file)
    expect(files.length).toBeLessThanOrEqual(3); // the current file and at most 2 old ones
    expect(files.slice(1)).toEqual(["etl_tronscan.log.1", "etl_tronscan.log.2"].slice(0, files.length - 1));
    const current = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    for (const l of current) expect(l).toMatchObject({ msg: "Synced wallet endpoint", apiKey: "[redacted]" });
    expect(current.at(-1).i).toBe(399); // the newest line is in the current file
    for (const f of files) expect(readFileSync(join(dir, "logs", f), "utf8")).not.toContain("sk-live");
  });
});
