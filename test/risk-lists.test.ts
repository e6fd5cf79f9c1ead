// Risk lists: files read (every format, bad ones refused with the line), versions kept, diffs, and the screening
// of movements on load and of stored history once per version, on hand-worked cases in a real DuckDB.
import { readFileSync, writeFileSync } from "node:fs";
import { parseConfig } from "../src/config/load.ts";
import { notify } from "../src/notify/delivery.ts";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { readListFile } from "../src/risk/parse-list.ts";
import { diffVersions, importListVersion, listVersions } from "../src/warehouse/risk-lists.ts";
import { REMOVED_REVIEWER, screenMovements } from "../src/risk/screen.ts";
import { emptyBatch, type TransferRow } from "../src/model/rows.ts";
import type { Warehouse } from "../src/warehouse/types.ts";
import { closeAfterEach, memoryWarehouse, ROOT, tempDir, tronmon } from "./helpers.ts";
import { movement, W } from "./builders.ts";
import { stmt } from "./stmt.ts";

// real OFAC SDN TRON addresses (risk-lists/ofac-sdn-tron-2024-09-27)
const S1 = "TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre";
const S2 = "TEAqwfMhXLaomXhZ8KeMhx3njGmQEDnsUR";
const S3 = "TFdTr9C3BqQrzKBXqSxJfAZFTh8UwBAfSg";
const SMALL_SDN = join(ROOT, "test/fixtures/sanctions/sdn_advanced_small.xml");

function file(name: string, text: string) {
  const f = join(tempDir(), name);
  writeFileSync(f, text);
  return f;
}

describe("list files", () => {
  it("TXT: one address a line, comments and blanks skipped, an invalid address reported with its line", async () => {
    const f = file("l.txt", `# my list\n${S1}\n\n${S2}  # seen in case 4\nTBHTJqAy4DhHhmT3dNceJYNRz4SdLofLrX\n${S1}\n`);
    const r = await readListFile(f, "sanctions");
    expect(r.entries.map((e) => [e.address, e.category, e.line])).toEqual([
      [S1, "sanctions", 2],
      [S2, "sanctions", 4],
    ]);
    expect(r.rejected).toEqual([
      {
        line: 5,
        value: "TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLrX",
        problem: "not a TRON address: base58check checksum does not match",
      },
    ]);
  });

  it("CSV: address, category, note with a header; the default category fills a blank one", async () => {
    const f = file("l.csv", `address,category,note\n${S1},scam,"case 1, Binance report"\n${S2},,\n`);
    const r = await readListFile(f, "listed");
    expect(r.entries).toEqual([
      { address: S1, category: "scam", note: "case 1, Binance report", line: 2 },
      { address: S2, category: "listed", note: null, line: 3 },
    ]);
  });

  it("JSON: an array of addresses or of objects; the TRON hex form (41…) is read as the same address", async () => {
    const f = file("l.json", `[\n  "${S1}",\n  {"address": "41${"0".repeat(40)}", "category": "burn"}\n]`);
    const r = await readListFile(f, "listed");
    expect(r.entries.map((e) => [e.address, e.category, e.line])).toEqual([
      [S1, "listed", 2],
      ["T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb", "burn", 3],
    ]);
  });

  it("SDN_ADVANCED.XML: exactly its TRON addresses, TRX and USDT feature types merged by address", async () => {
    const r = await readListFile(SMALL_SDN, "sanctions");
    expect(r.format).toBe("sdn-xml");
    expect(r.entries.map((e) => e.address).sort()).toEqual([S1, S2].sort());
    expect(r.entries.find((e) => e.address === S2)?.note).toBe("OFAC SDN USDT party 10002; OFAC SDN TRX party 10003");
    expect(r.rejected).toEqual([]);
  });

  it.each([
    ["broken.csv", `address,category,note\n${S1},scam,"unclosed\n${S2},x,y\n`, /broken\.csv:\d+: not valid CSV/],
    ["wide.csv", `${S1},scam,note\n${S2},a,b,c\n`, /wide\.csv:2: expected address,category,note but found 4 fields/],
    ["broken.json", `[\n  "${S1}",\n  "${S2}"\n  "x"\n]`, /broken\.json:4: not valid JSON/],
    ["cut.json", `[\n  "${S1}",\n`, /cut\.json:2: not valid JSON/],
    ["shape.json", `{"addresses": []}`, /shape\.json:1: expected a JSON array/],
    ["broken.xml", `<Sanctions>\n<ReferenceValueSets>\n</Sanctions>\n`, /broken\.xml:3: not valid XML/],
    ["other.xml", `<Sanctions>\n</Sanctions>\n`, /other\.xml: no FeatureType "Digital Currency Address - TRX"/],
  ])("a malformed %s is refused naming the file and line", async (name, text, message) => {
    await expect(readListFile(file(name, text), "listed")).rejects.toThrow(message);
  });
});

describe("versions and screening", () => {
  let w: Warehouse;
  beforeEach(async () => {
    w = closeAfterEach(await memoryWarehouse());
    await w.setWallets([{ address: W, label: null }]);
  });
  const load = (rows: TransferRow[]) => w.load({ batch: { ...emptyBatch(), transfers: rows }, runId: "t" });
  const entry = (address: string) => ({ address, category: "sanctions", note: null });
  const version = (entries: string[], retrieved: string, nowMs: number) =>
    importListVersion(w, {
      name: "ofac",
      kind: "sanctions",
      source: "test",
      retrievedAtMs: Date.parse(retrieved),
      nowMs,
      entries: entries.map(entry),
    });
  const findings = () =>
    w.query<Record<string, unknown>>(
      stmt(`SELECT anomaly_type, wallet, transfer_id, amount, reason, severity, occurred_at_ms, reviewed_by
        FROM anomalies ORDER BY occurred_at_ms, anomaly_type`),
    );

  it("keeps versions: same content writes nothing, a change adds and removes; diff shows both", async () => {
    expect(await version([S1, S2], "2024-09-27", 1)).toMatchObject({
      version: 1,
      added: 2,
      removed: 0,
      unchanged: false,
    });
    expect(await version([S2, S1], "2024-09-28", 2)).toMatchObject({ version: 1, unchanged: true });
    expect(await version([S2, S3], "2024-10-01", 3)).toMatchObject({ version: 2, added: 1, removed: 1, entries: 2 });
    const diff = await diffVersions(w, "ofac");
    expect(diff?.added.map((e) => e.address)).toEqual([S3]);
    expect(diff?.removed.map((e) => e.address)).toEqual([S1]);
    expect((await listVersions(w)).map((v) => [v.version, Number(v.entry_count)])).toEqual([
      [2, 2],
      [1, 2],
    ]);
  });

  it("screens new movements, re-screens history once per version, and a removal resolves", async () => {
    const jan = Date.parse("2024-01-10T08:00:00Z");
    const mar = Date.parse("2024-10-05T09:00:00Z");
    // paid by S1 before it was listed, then paid S1 after; a payment to an unlisted address finds nothing
    await load([
      movement({ ts: jan, raw: 500_000_000n, dir: "in", peer: S1 }),
      movement({ ts: jan + 1000, raw: 7_000_000n, dir: "out", peer: S3 }),
    ]);
    expect(await screenMovements(w, 10)).toEqual({ found: {}, resolved: 0, versionsScreened: 0 });
    await version([S1], "2024-09-27", 11);
    expect(await screenMovements(w, 12)).toEqual({
      found: { listed_counterparty: 1 },
      resolved: 0,
      versionsScreened: 1,
    });
    expect(await screenMovements(w, 13)).toEqual({ found: {}, resolved: 0, versionsScreened: 0 });
    const [first] = await findings();
    expect(first).toMatchObject({
      anomaly_type: "listed_counterparty",
      wallet: W,
      amount: "500",
      severity: "critical",
    });
    expect(first.reason).toBe(
      `Received 500 USDT from ${S1}, listed on ofac (sanctions, version 1, listed 2024-09-27); movement on 2024-01-10, 261 days before the listing.`,
    );
    // a new movement meets the current entries
    await load([movement({ ts: mar, raw: 20_000_000n, dir: "out", peer: S1 })]);
    expect((await screenMovements(w, 14)).found).toEqual({ listed_counterparty: 1 });
    expect((await findings())[1].reason).toBe(
      `Sent 20 USDT to ${S1}, listed on ofac (sanctions, version 1, listed 2024-09-27); movement on 2024-10-05, after the listing.`,
    );
    // the wallet itself listed
    await version([S1, W], "2024-10-06", 15);
    expect((await screenMovements(w, 16)).found).toEqual({ listed_wallet: 1 });
    // S1 removed: both findings it caused are resolved; the wallet's own stays open
    await version([W], "2024-10-07", 17);
    expect(await screenMovements(w, 18)).toEqual({ found: {}, resolved: 2, versionsScreened: 1 });
    const all = await findings();
    expect(all.map((f) => [f.anomaly_type, f.reviewed_by])).toEqual([
      ["listed_counterparty", REMOVED_REVIEWER],
      ["listed_counterparty", REMOVED_REVIEWER],
      ["listed_wallet", null],
    ]);
    expect(await screenMovements(w, 19)).toEqual({ found: {}, resolved: 0, versionsScreened: 0 });
  });

  it("a re-screen finding on a months-old payment is notified (the news is the listing), unlike an old detector finding", async () => {
    const now = Date.parse("2024-10-01T00:00:00Z");
    await load([movement({ ts: Date.parse("2024-01-10T08:00:00Z"), raw: 500_000_000n, dir: "in", peer: S1 })]);
    await version([S1], "2024-09-27", now);
    await screenMovements(w, now);
    const out = join(tempDir(), "n.ndjson");
    const config = parseConfig({
      wallets: [{ address: W }],
      notify: { sinks: [{ name: "f", kind: "file", path: out }] },
    });
    expect(await notify(w, config, now + 1000, now - 1000)).toMatchObject({ queued: 1, delivered: 1 });
    const [sent] = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(sent.text).toMatch(/^\[critical\] listed_counterparty on .*261 days before the listing/);
  });
});

describe("tronmon lists (CLI)", () => {
  it("imports a list, screens, shows versions and diffs; a malformed file changes nothing (exit 2, line named)", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "tronmon.config.yaml"),
      `wallets:\n  - address: ${W}\nwarehouse:\n  path: ${join(dir, "t.duckdb")}\noutput:\n  dir: ${join(dir, "out")}\nrisk:\n  lists: []\n`,
    );
    const bad = file("bad.csv", `${S1},scam,x\n${S2},"oops\n`);
    const refused = await tronmon(["lists", "import", bad, "--name", "cases"], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/bad\.csv:2: not valid CSV/);
    expect((await tronmon(["lists"], dir)).stdout).toMatch(/no risk lists loaded yet/);
    const ok = await tronmon(["lists", "import", SMALL_SDN, "--name", "sdn", "--kind", "sanctions"], dir);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/sdn: version 1: 2 entries \(2 added, 0 removed\)/);
    const shown = await tronmon(["lists", "--json"], dir);
    expect(
      JSON.parse(shown.stdout).map((v: { list_name: string; entry_count: number }) => [v.list_name, v.entry_count]),
    ).toEqual([["sdn", 2]]);
    const diff = await tronmon(["lists", "diff", "sdn"], dir);
    expect(diff.stdout.split("\n").filter((l) => l.startsWith("+ ")).length).toBe(2);
  });
});
