// The analyst's decisions on hand-built data: a resolved false positive stays closed while suppressed, reopens once
// its value reaches factor × the value it was suppressed at (or the snooze ends); suppressed findings are kept but
// marked and not notified; the precision report's counts equal the dispositions table's.
import { beforeEach, describe, expect, it } from "vitest";
import { refreshRollup } from "../src/warehouse/activity/rollup.ts";
import { evaluateRules } from "../src/rules/evaluate.ts";
import { saveRules } from "../src/rules/alert-store.ts";
import { emptyBatch, type TransferRow } from "../src/model/rows.ts";
import { closeAlert, closeFinding } from "../src/triage/close.ts";
import { addSuppression, dispositionReport, markSuppressedFindings } from "../src/warehouse/triage.ts";
import { eventsSince } from "../src/notify/events.ts";
import { reaches, suppressing } from "../src/model/triage.ts";
import { movement } from "./builders.ts";
import { memoryWarehouse, tempDir } from "./helpers.ts";
import { stmt } from "./stmt.ts";
import type { Warehouse } from "../src/warehouse/types.ts";

const W = "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF";
const PEER = "TU4vEruvZwLLkSfV9bNw12EJTPvNr7Pvaa";
const OTHER = "TWpqsYjAw7rFPmWeZcwKQanCS6Kk8f5dhT";
const USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
const NOW = Date.parse("2026-03-10T00:00:00Z");
const MIN = 60_000;
const usdt = (ts: number, whole: bigint, peer = PEER): TransferRow =>
  movement({ ts, raw: whole * 1_000_000n, peer, tokenId: USDT, tokenSymbol: "USDT" });

let w: Warehouse;
let out: string;
const load = (rows: TransferRow[]) => w.load({ batch: { ...emptyBatch(), transfers: rows }, runId: "t" });
const evaluate = async (nowMs: number) => {
  await refreshRollup(w);
  return evaluateRules({ warehouse: w, nowMs, outDir: out });
};
const openAlerts = () =>
  w.query<{ alert_id: string; value: string }>(
    stmt("SELECT alert_id, value FROM alerts WHERE status = 'open' ORDER BY first_seen_ms"),
  );

beforeEach(async () => {
  w = await memoryWarehouse();
  out = tempDir();
  await w.setWallets([{ address: W }]);
  await saveRules(w, [
    {
      name: "vol7",
      kind: "volume",
      periodDays: 7,
      threshold: "500000",
      tokenId: USDT,
      direction: "any",
      wallets: null,
      enabled: true,
    },
  ]);
});

describe("suppressing a rule alert", () => {
  it("control: resolved without a suppression, a condition that still holds opens again at once", async () => {
    await load([usdt(NOW - 86_400_000, 600_000n)]);
    await evaluate(NOW);
    const [a] = await openAlerts();
    await closeAlert(w, {
      id: a.alert_id,
      disposition: "false_positive",
      reason: "exchange sweep",
      by: "ana",
      nowMs: NOW + MIN,
    });
    expect((await evaluate(NOW + 2 * MIN)).opened).toBe(1);
  });

  it("stays closed below factor × baseline, reopens at it exactly", async () => {
    await load([usdt(NOW - 86_400_000, 600_000n)]); // 600000 in 7 days > 500000
    expect((await evaluate(NOW)).opened).toBe(1);
    const [a] = await openAlerts();
    expect(a.value).toBe("600000");
    const { suppression } = await closeAlert(w, {
      id: a.alert_id,
      disposition: "false_positive",
      reason: "our own cold-wallet sweep",
      by: "ana",
      nowMs: NOW + MIN,
      suppress: { factor: "2", untilMs: null },
    });
    expect(suppression).toMatchObject({ baseline: "600000", factor: "2", kind: "rule", name: "vol7", wallet: W });
    expect((await evaluate(NOW + 2 * MIN)).opened).toBe(0); // still 600000: held back
    await load([usdt(NOW, 599_999n)]); // 1199999 < 2 × 600000 = 1200000
    expect((await evaluate(NOW + 3 * MIN)).opened).toBe(0);
    await load([usdt(NOW + MIN, 1n)]); // 1200000 = 2 × 600000: worsened by the factor
    expect((await evaluate(NOW + 4 * MIN)).opened).toBe(1);
    expect((await openAlerts()).map((x) => x.value)).toEqual(["1200000"]);
  });

  it("a snooze without a baseline ends at its date", async () => {
    await load([usdt(NOW - 86_400_000, 600_000n)]);
    await evaluate(NOW);
    const [a] = await openAlerts();
    await closeAlert(w, {
      id: a.alert_id,
      disposition: "benign",
      reason: "known OTC desk, reviewed",
      by: "ana",
      nowMs: NOW + MIN,
      suppress: { factor: "1000", untilMs: NOW + 60 * MIN },
    });
    expect((await evaluate(NOW + 30 * MIN)).opened).toBe(0);
    expect((await evaluate(NOW + 60 * MIN)).opened).toBe(1); // the snooze ended
  });

  it("a true positive is never suppressed", async () => {
    await load([usdt(NOW - 86_400_000, 600_000n)]);
    await evaluate(NOW);
    const [a] = await openAlerts();
    await expect(
      closeAlert(w, {
        id: a.alert_id,
        disposition: "true_positive",
        reason: "x",
        by: "a",
        nowMs: NOW,
        suppress: { factor: "2", untilMs: null },
      }),
    ).rejects.toThrow(/true positive is not suppressed/);
    expect(await openAlerts()).toHaveLength(1); // nothing changed
  });
});

describe("suppressing findings", () => {
  const T = NOW + 10 * MIN;
  async function finding(id: string, amount: string, peer: string) {
    const t = usdt(NOW - MIN, BigInt(amount), peer);
    await load([t]);
    await w.query(
      stmt(
        `INSERT INTO anomalies (anomaly_id, anomaly_type, wallet, transaction_id, transfer_id, token_id, token_symbol,
          amount, amount_raw, reason, details, occurred_at_ms, detected_at_ms, exported, severity)
        VALUES (?, 'large_transaction', ?, ?, ?, ?, 'USDT', ?, ?, 'big', '{}', ?, ?, false, 'warning')`,
        [id, W, t.transactionId, t.transferId, USDT, amount, `${amount}000000`, NOW - MIN, T],
      ),
    );
  }

  it("per counterparty: below factor × baseline marked (kept, not notified), at it or from another counterparty not", async () => {
    await addSuppression(w, {
      wallet: W,
      kind: "detector",
      name: "large_transaction",
      counterparty: PEER,
      baseline: "100",
      factor: "2",
      untilMs: null,
      reason: "payroll to PEER",
      createdBy: "ana",
      nowMs: NOW,
    });
    await finding("f-small", "150", PEER); // 150 < 200: held back
    await finding("f-worse", "200", PEER); // 200 = 2 × 100: worsened
    await finding("f-other", "150", OTHER); // another counterparty: not covered
    const n = await w.transaction((q) => markSuppressedFindings(w, q, T));
    expect(n).toBe(1);
    const rows = await w.query<{ anomaly_id: string; suppressed_by: string | null; reviewed_by: string | null }>(
      stmt("SELECT anomaly_id, suppressed_by, reviewed_by FROM anomalies ORDER BY anomaly_id"),
    );
    expect(rows.map((r) => [r.anomaly_id, r.suppressed_by !== null])).toEqual([
      ["f-other", false],
      ["f-small", true],
      ["f-worse", false],
    ]);
    expect(rows.find((r) => r.anomaly_id === "f-small")!.reviewed_by).toMatch(/^suppressed /);
    const sent = (await eventsSince(w, T)).filter((e) => e.kind === "anomaly").map((e) => e.eventId);
    expect(sent.sort()).toEqual(["anomaly:f-other", "anomaly:f-worse"]);
  });

  it("closing a finding with --suppress covers its own counterparty with its amount as the baseline", async () => {
    await finding("f1", "150", PEER);
    const { suppression } = await closeFinding(w, {
      id: "f1",
      disposition: "false_positive",
      reason: "payroll",
      by: "ana",
      nowMs: T + MIN,
      suppress: { factor: "3", untilMs: null },
    });
    expect(suppression).toMatchObject({ counterparty: PEER, baseline: "150", factor: "3", name: "large_transaction" });
  });
});

describe("dispositions and the precision report", () => {
  it("counts per rule and detector equal the table's; precision = TP / (TP + FP)", async () => {
    for (const [i, d] of (["true_positive", "true_positive", "false_positive"] as const).entries()) {
      await load([usdt(NOW - 86_400_000 + i, 600_000n)]);
      await evaluate(NOW + i * MIN);
      const [a] = await openAlerts();
      await closeAlert(w, { id: a.alert_id, disposition: d, reason: `case ${i}`, by: "ana", nowMs: NOW + i * MIN + 1 });
    }
    const report = await dispositionReport(w);
    // hand-worked: vol7 has 2 TP, 1 FP, 0 benign -> precision 2/3 = 66.7 %
    expect(report).toEqual([
      {
        kind: "alert",
        source: "vol7",
        true_positive: 2,
        false_positive: 1,
        benign: 0,
        decided: 3,
        precision_pct: "66.7",
      },
    ]);
    const sqlCounts = await w.query<{ disposition: string; n: string }>(
      stmt("SELECT disposition, count(*) AS n FROM dispositions GROUP BY disposition ORDER BY disposition"),
    );
    expect(sqlCounts.map((r) => [r.disposition, Number(r.n)])).toEqual([
      ["false_positive", 1],
      ["true_positive", 2],
    ]);
  });
});

describe("exact comparisons (model/triage.ts)", () => {
  it("value ≥ factor × baseline without floats", () => {
    expect(reaches("0.3", "3", "0.1")).toBe(true); // 0.1 × 3 is 0.30000000000000004 in floats
    expect(reaches("0.299999999999999999", "3", "0.1")).toBe(false);
    expect(reaches("115792089237316195423570985008687907853269984665640564039457584007913129639935", "1.5", "1")).toBe(
      true,
    );
    const s = {
      suppressionId: "s",
      wallet: W,
      kind: "rule" as const,
      name: "r",
      counterparty: null,
      baseline: null,
      factor: "2",
      untilMs: 100,
      reason: "",
      createdBy: "",
      createdAtMs: 0,
    };
    expect(suppressing([s], { wallet: W, kind: "rule", name: "r", value: "9" }, 99)).toBe(s);
    expect(suppressing([s], { wallet: W, kind: "rule", name: "r", value: "9" }, 100)).toBeNull();
  });
});

describe("views for one's own SQL", () => {
  it("v_wallet_transfers: token units as DECIMAL, time as TIMESTAMP, one row per watched side", async () => {
    await load([movement({ ts: NOW, raw: 1_234_567n, peer: PEER, tokenId: USDT, tokenSymbol: "USDT" })]);
    const [r] = await w.query<Record<string, unknown>>(
      stmt(
        `SELECT wallet, direction, counterparty, CAST(amount AS VARCHAR) AS amount, typeof(amount) AS amount_type,
          CAST(time_utc AS VARCHAR) AS time_utc, typeof(time_utc) AS time_type, amount_text FROM v_wallet_transfers`,
      ),
    );
    // 1234567 raw with 6 decimals = 1.234567 USDT, received by W from PEER at 2026-03-10 00:00:00 UTC
    expect(r).toEqual({
      wallet: W,
      direction: "in",
      counterparty: PEER,
      amount: "1.234567000000000000",
      amount_type: "DECIMAL(38,18)",
      time_utc: "2026-03-10 00:00:00",
      time_type: "TIMESTAMP",
      amount_text: "1.234567",
    });
  });
});
