// evaluate, rules set/disable/backtest, alerts ack and export, through the CLI on the recorded pages.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { seededFolder, tronmon } from "./helpers.ts";

const NOW = "2025-10-06T00:00:00Z";
const HTX = "TFTWNgDBkQ5wQoP8RXpRznnHvAVV8x5jLu";
const BINANCE = "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF";
const BYBIT = "TU4vEruvZwLLkSfV9bNw12EJTPvNr7Pvaa";

describe("rules and alerts from the command line", () => {
  let dir: string;
  const alertFiles = () => {
    try {
      return readdirSync(join(dir, "out/alerts")).sort();
    } catch {
      return [];
    }
  };
  beforeAll(async () => {
    dir = await seededFolder([
      "  - name: Transaction Count Rule - 7d   # the original rule",
      "    kind: count",
      "    period_days: 7",
      "    threshold: 100",
      "  - name: HTX USDT out",
      "    kind: volume",
      "    period_days: 7",
      "    threshold: 23677.84865",
      "    direction: out",
      `    wallets: [${HTX}]`,
    ]);
  });

  it("evaluate: nothing above the thresholds (HTX's USDT out equals 23677.84865 exactly); re-running writes nothing", async () => {
    const r = await tronmon(["evaluate", "--now", NOW, "--json"], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ rules: 2, breaches: 0, opened: 0, exportedFile: null });
    expect(alertFiles()).toEqual([]);
  });

  it("rules set lowers a threshold in the config file (comments kept); the next evaluation opens alerts once", async () => {
    const set = await tronmon(["rules", "set", "Transaction Count Rule - 7d", "--threshold", "49"], dir);
    expect(set.code).toBe(0);
    const text = readFileSync(join(dir, "tronmon.config.yaml"), "utf8");
    expect(text).toContain("# my wallets");
    expect(text).toContain("# the original rule");
    expect(text).toMatch(/threshold: "?49"?/);
    const first = JSON.parse((await tronmon(["evaluate", "--now", NOW, "--json"], dir)).stdout);
    expect(first).toMatchObject({ opened: 3 }); // HTX-4, Bybit and Binance-Cold 4 have 50 transactions each (BitPanda 10)
    const again = JSON.parse((await tronmon(["evaluate", "--now", NOW, "--json"], dir)).stdout);
    expect(again).toMatchObject({ opened: 0, changed: 0, resolved: 0, exportedFile: null });
    expect(alertFiles()).toHaveLength(1);
    const exported = JSON.parse(readFileSync(join(dir, "out/alerts", alertFiles()[0]), "utf8"));
    expect(
      exported
        .map((a: { wallet: string; value: string; threshold: string }) => [a.wallet, a.value, a.threshold])
        .sort(),
    ).toEqual([
      [HTX, "50", "49"],
      [BINANCE, "50", "49"],
      [BYBIT, "50", "49"],
    ]);
  });

  it("alerts ack records who and why; rules disable resolves the rule's alerts", async () => {
    const list = JSON.parse((await tronmon(["alerts", "list", "--status", "open", "--json"], dir)).stdout);
    const htx = list.find((a: { wallet: string }) => a.wallet === HTX);
    const ack = await tronmon(
      ["alerts", "ack", htx.alert_id, "--note", "known exchange sweep", "--by", "analyst-1"],
      dir,
    );
    expect(ack.code).toBe(0);
    const acked = JSON.parse((await tronmon(["alerts", "list", "--status", "acknowledged", "--json"], dir)).stdout);
    expect(acked).toEqual([
      expect.objectContaining({ alert_id: htx.alert_id, note: "known exchange sweep", acted_by: "analyst-1" }),
    ]);
    expect((await tronmon(["rules", "disable", "Transaction Count Rule - 7d"], dir)).code).toBe(0);
    const s = JSON.parse((await tronmon(["evaluate", "--now", NOW, "--json"], dir)).stdout);
    expect(s).toMatchObject({ resolved: 3 });
    const csv = (await tronmon(["export", "alerts", "--format", "csv"], dir)).stdout.trim().split("\n");
    expect(csv[0]).toBe(
      "alert_id,status,wallet,rule,value,threshold,unit,exported_at,token,token_symbol,direction,period_days,first_seen,last_seen,resolved_at,note,acted_by",
    );
    expect(csv.slice(1).every((l) => l.includes(",resolved,"))).toBe(true);
  });

  it("rules set rejects a bad value without touching the file; backtest prints openings and closings", async () => {
    const before = readFileSync(join(dir, "tronmon.config.yaml"), "utf8");
    const bad = await tronmon(["rules", "set", "HTX USDT out", "--threshold", "lots"], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/rules\[1\]\.threshold: must be a non-negative decimal number/);
    expect(readFileSync(join(dir, "tronmon.config.yaml"), "utf8")).toBe(before);
    await tronmon(["rules", "set", "HTX USDT out", "--threshold", "20000"], dir);
    const bt = await tronmon(["rules", "backtest", "--from", "2025-10-04", "--to", "2025-10-14", "--json"], dir);
    expect(bt.code).toBe(0);
    // HTX's USDT calls were all made on 2025-10-05: above 20000 from that day's evaluation for 7 days
    expect(JSON.parse(bt.stdout)).toEqual([
      {
        rule: "HTX USDT out",
        wallet: HTX,
        opened: "2025-10-05",
        closed: "2025-10-12",
        "peak value": "23677.84865",
        days: 8,
      },
    ]);
  });
});
