import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configJsonSchema, loadConfig, parseConfig } from "../src/config/load.ts";
import { snowflakeSettings } from "../src/config/schema.ts";
import { ConfigError } from "../src/internal/errors.ts";
import { ROOT, tempDir } from "./helpers.ts";

describe("config", () => {
  it("the published JSON Schema is the one the code generates", () => {
    const shipped = JSON.parse(readFileSync(join(ROOT, "tronmon.config.schema.json"), "utf8"));
    expect(shipped).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  });

  it("the shipped config spells out every default: parsing it equals parsing its wallets alone", () => {
    const shipped = loadConfig(join(ROOT, "tronmon.config.yaml"));
    const defaults = parseConfig({ wallets: shipped.wallets });
    expect(shipped).toEqual(defaults);
    expect(shipped.wallets.map((w) => w.address)).toEqual([
      "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF",
      "TU4vEruvZwLLkSfV9bNw12EJTPvNr7Pvaa",
      "TWpqsYjAw7rFPmWeZcwKQanCS6Kk8f5dhT",
      "TFTWNgDBkQ5wQoP8RXpRznnHvAVV8x5jLu",
    ]);
    // every key of the defaults appears in the shipped file's text
    const text = readFileSync(join(ROOT, "tronmon.config.yaml"), "utf8");
    const keys = (o: Record<string, unknown>): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        v && typeof v === "object" && !Array.isArray(v) ? [k, ...keys(v as Record<string, unknown>)] : [k],
      );
    for (const k of keys({ ...defaults, wallets: undefined }))
      if (k !== "wallets") expect(text, k).toMatch(new RegExp(`^\\s*${k}:`, "m"));
  });

  it("YAML syntax errors and a missing file are ConfigErrors naming the file", () => {
    const dir = tempDir();
    const f = join(dir, "bad.yaml");
    writeFileSync(f, "wallets: [\n");
    expect(() => loadConfig(f)).toThrow(ConfigError);
    expect(() => loadConfig(f)).toThrow(/bad\.yaml[\s\S]*YAML syntax/);
    expect(() => loadConfig(join(dir, "nope.yaml"))).toThrow(/nope\.yaml[\s\S]*file not found/);
  });

  it("rejects a wrong history_start and an empty wallet list", () => {
    try {
      parseConfig({ wallets: [], source: { history_start: "last tuesday" } }, "x.yaml");
      throw new Error("accepted");
    } catch (e) {
      expect((e as ConfigError).problems).toEqual([
        "wallets: Too small: expected array to have >=1 items",
        "source.history_start: must be an ISO 8601 date such as 2024-01-01",
      ]);
    }
  });
});

describe("warehouse.kind: snowflake", () => {
  const base = {
    wallets: [{ address: "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF", label: "x" }],
    rules: [],
    notify: { sinks: [{ name: "f", kind: "file", path: "-" }] },
  };
  it("switching kind between duckdb and snowflake changes nothing else in the config", () => {
    const duck = parseConfig({ ...base, warehouse: { kind: "duckdb" } });
    const snow = parseConfig({ ...base, warehouse: { kind: "snowflake" } });
    const { warehouse: w1, ...rest1 } = duck;
    const { warehouse: w2, ...rest2 } = snow;
    expect(rest2).toEqual(rest1);
    expect(w1.kind).toBe("duckdb");
    expect(w2).toEqual({
      kind: "snowflake",
      account: null,
      user: null,
      role: null,
      warehouse: null,
      database: null,
      schema: null,
      authenticator: "key_pair",
      query_tag: "tronmon",
      batch_rows: 10000,
    });
  });

  it("settings come from the config or the environment; what is missing is named", () => {
    const w = parseConfig({
      ...base,
      warehouse: { kind: "snowflake", account: "myorg-acct", role: "TRONMON_LOADER" },
    }).warehouse;
    if (w.kind !== "snowflake") throw new Error("kind");
    const env = {
      SNOWFLAKE_USER: "svc_tronmon",
      SNOWFLAKE_ROLE: "IGNORED",
      SNOWFLAKE_WAREHOUSE: "TRONMON_WH",
      SNOWFLAKE_DATABASE: "TRON",
    };
    expect(snowflakeSettings(w, env)).toEqual({
      account: "myorg-acct",
      user: "svc_tronmon",
      role: "TRONMON_LOADER",
      warehouse: "TRONMON_WH",
      database: "TRON",
      schema: null,
      authenticator: "key_pair",
      secretEnv: "SNOWFLAKE_PRIVATE_KEY_PATH",
      missing: ["warehouse.schema (or SNOWFLAKE_SCHEMA)", "SNOWFLAKE_PRIVATE_KEY_PATH (authenticator key_pair)"],
    });
    expect(() => parseConfig({ ...base, warehouse: { kind: "snowflake", account: "bad account; DROP" } })).toThrow(
      ConfigError,
    );
    expect(() => parseConfig({ ...base, warehouse: { kind: "snowflake", password: "secret" } })).toThrow(
      /unknown key "password"/,
    );
  });
});
