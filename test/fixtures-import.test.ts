// The recorded TronScan pages, imported as a user would, against what a careful reader lists by hand.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { importPaths } from "../src/pipeline/import.ts";
import { silentLogger } from "../src/internal/logger.ts";
import { FIXTURES, memoryWarehouse, tempDir } from "./helpers.ts";
import type { Warehouse } from "../src/warehouse/types.ts";
import { stmt } from "./stmt.ts";

const SEED = join(FIXTURES, "seed-pages");
const EP = join(FIXTURES, "endpoints");
const HTX = "TFTWNgDBkQ5wQoP8RXpRznnHvAVV8x5jLu";
const BITPANDA = "TWpqsYjAw7rFPmWeZcwKQanCS6Kk8f5dhT";
const USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";

async function load(paths: string[], w?: Warehouse) {
  const warehouse = w ?? (await memoryWarehouse());
  const summary = await importPaths({ paths, warehouse, logger: silentLogger(), outDir: tempDir(), structured: true });
  return { warehouse, summary };
}
const q = (w: Warehouse, sql: string, params: unknown[] = []) =>
  w.query<Record<string, string | number | boolean | null>>(stmt(sql, params));

describe("import of the recorded pages", () => {
  let w: Warehouse;
  beforeAll(async () => {
    ({ warehouse: w } = await load([SEED, EP]));
    await w.setWallets([{ address: HTX }, { address: BITPANDA }]);
  });

  it("BitPanda: 10 transactions, 9 incoming TRX transfers, the reward withdrawal moves nothing", async () => {
    const txs = await q(w, "SELECT count(*) AS n FROM transactions WHERE owner_address = ? OR to_address = ?", [
      BITPANDA,
      BITPANDA,
    ]);
    expect(Number(txs[0].n)).toBe(10);
    const rows = await q(
      w,
      "SELECT transaction_id, from_address, amount_raw, amount, token_id, asset_type FROM transfers WHERE to_address = ? ORDER BY timestamp_ms DESC",
      [BITPANDA],
    );
    expect(rows).toHaveLength(9);
    expect(rows.every((r) => r.token_id === "_" && r.asset_type === "trx")).toBe(true);
    // 83a4627b…: 2 sun from TH8gWk…FtK; 7a87e186…: 10324097505394 sun; 53ff90d5…: 9030709100 sun
    expect(rows[0]).toMatchObject({
      from_address: "TH8gWkRavtm7mN2ssNACSzx8xmufBEpFtK",
      amount_raw: "2",
      amount: "0.000002",
    });
    expect(rows.find((r) => String(r.transaction_id).startsWith("7a87e186"))).toMatchObject({
      amount: "10324097.505394",
    });
    expect(rows.find((r) => String(r.transaction_id).startsWith("53ff90d5"))).toMatchObject({ amount: "9030.7091" });
    // 2+1+1+10324097505394+2+9+5+1+9030709100 sun
    const [sum] = await q(w, "SELECT CAST(sum(amount_num) AS VARCHAR) AS s FROM transfers WHERE to_address = ?", [
      BITPANDA,
    ]);
    expect(sum.s).toBe("10333128214515");
    const reward = await q(w, "SELECT contract_type, contract_type_name FROM transactions WHERE hash LIKE 'edcee762%'");
    expect(reward).toEqual([{ contract_type: 13, contract_type_name: "WithdrawBalanceContract" }]);
    expect(await q(w, "SELECT * FROM transfers WHERE transaction_id LIKE 'edcee762%'")).toHaveLength(0);
  });

  it("HTX-4: USDT from TriggerSmartContract calls, decoded from the call data, never labelled TRX", async () => {
    const rows = await q(w, "SELECT * FROM transfers WHERE from_address = ? AND token_id = ?", [HTX, USDT]);
    expect(rows).toHaveLength(43);
    expect(rows.every((r) => r.token_symbol === "USDT" && r.token_decimals === 6 && r.asset_type === "trc20")).toBe(
      true,
    );
    const d39 = rows.find((r) => String(r.transaction_id).startsWith("d39f8dae"));
    expect(d39).toMatchObject({
      to_address: "TG26rMUKyngGCPoqLiB1N2v8BuAfrmMvnE",
      amount_raw: "144430090",
      amount: "144.43009",
      confirmed: false,
    });
    // sum of the 43 trigger_info._value fields, worked out from the file
    const [sum] = await q(
      w,
      "SELECT CAST(sum(amount_num) AS VARCHAR) AS s FROM transfers WHERE from_address = ? AND token_id = ?",
      [HTX, USDT],
    );
    expect(sum.s).toBe("23677848650");
    const trx = await q(
      w,
      "SELECT amount FROM transfers WHERE from_address = ? AND token_id = '_' AND transaction_id LIKE 'cc308cd4%'",
      [HTX],
    );
    expect(trx).toEqual([{ amount: "492" }]);
  });

  it("Binance-Cold 4: 50 undelegations are transactions, not transfers", async () => {
    const w2 = (await load([join(SEED, "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF_20251005T215532Z.json")])).warehouse;
    expect(Number((await q(w2, "SELECT count(*) AS n FROM transactions WHERE contract_type = 58"))[0].n)).toBe(50);
    expect(Number((await q(w2, "SELECT count(*) AS n FROM transfers"))[0].n)).toBe(0);
  });

  it("the failed USDT call moved nothing: kept as failed, with its fee", async () => {
    const [tx] = await q(
      w,
      "SELECT status, contract_ret, CAST(fee AS VARCHAR) AS fee FROM transactions WHERE hash LIKE 'ffea9302%'",
    );
    expect(tx).toEqual({ status: "failed", contract_ret: "REVERT", fee: "554120" });
    const tr = await q(w, "SELECT status FROM transfers WHERE transaction_id LIKE 'ffea9302%'");
    expect(tr).toEqual([{ status: "failed" }]);
  });

  it("token_trc20/transfers: 10 USDT transfers of TLwLTBk…, 8 in and 2 out, exact", async () => {
    const rows = await q(
      w,
      "SELECT from_address, to_address, amount FROM transfers WHERE (from_address = ?1 OR to_address = ?1) ORDER BY timestamp_ms DESC",
      ["TLwLTBk5k9nVNM3FK6yP8bXWsu6aTczcag"],
    );
    expect(rows).toHaveLength(10);
    expect(rows.filter((r) => r.to_address === "TLwLTBk5k9nVNM3FK6yP8bXWsu6aTczcag")).toHaveLength(8);
    expect(rows[0]).toMatchObject({ from_address: "TJqwA7SoZnERE4zW5uDEiPkbz4B66h9TFj", amount: "249.2346" });
    expect(rows[4]).toMatchObject({ to_address: "TWtcTcqSeoyRKCV89j8ZWXeqHAwNwq9pt6", amount: "811.6146" });
  });

  it("/api/transfer: 5 TRX transfers, 3 unconfirmed and 2 confirmed as recorded", async () => {
    const rows = await q(
      w,
      "SELECT amount, confirmed FROM transfers WHERE from_address = 'TQrY8tryqsYVCYS3MFbtffiPp2ccyn4STm' AND token_id = '_' ORDER BY timestamp_ms DESC, amount",
    );
    expect(rows).toEqual([
      { amount: "6278.0147", confirmed: false },
      { amount: "149", confirmed: false },
      { amount: "1844.84565", confirmed: false },
      { amount: "197", confirmed: true },
      { amount: "929.38463", confirmed: true },
    ]);
  });
});

describe("re-import and later polls", () => {
  it("importing the same pages twice adds nothing", async () => {
    const { warehouse, summary } = await load([SEED, EP]);
    expect(summary.transfersNew).toBe(50 + 50 + 9 + 10 + 1 + 5); // HTX 43 USDT + 7 TRX, Bybit 49 + 1, BitPanda 9, trc20 10, failed 1, transfer 5
    const again = await load([SEED, EP], warehouse);
    expect(again.summary.transfersNew).toBe(0);
    expect(again.summary.transactionsNew).toBe(0);
    expect(again.summary.transfersUpdated).toBe(0);
    expect(again.summary.rejectedFiles.map((r) => r.file.split("/").pop())).toEqual([
      "error_400_invalid_params_1.json",
      "error_403_request_too_quickly_1.json",
      "token_trc20_notfound_1.json",
      "transaction_info_trc10_risk_1.json",
    ]);
  });

  it("a later poll confirms the unconfirmed rows, whatever the order the pages are imported in", async () => {
    const dir = tempDir();
    const early = join(dir, `${HTX}_20251005T204952Z.json`);
    const late = join(dir, `${HTX}_20251005T211000Z.json`);
    copyFileSync(join(SEED, `${HTX}_20251005T204952Z.json`), early);
    const records = JSON.parse(readFileSync(early, "utf8")) as { confirmed: boolean }[];
    writeFileSync(late, JSON.stringify(records.map((r) => ({ ...r, confirmed: true }))));
    for (const order of [
      [early, late],
      [late, early],
    ]) {
      const w = await memoryWarehouse();
      for (const f of order) await load([f], w);
      const pending = await q(w, "SELECT count(*) AS n FROM transfers WHERE NOT confirmed");
      expect(Number(pending[0].n)).toBe(0);
      const txPending = await q(w, "SELECT count(*) AS n FROM transactions WHERE NOT confirmed");
      expect(Number(txPending[0].n)).toBe(0);
      expect(Number((await q(w, "SELECT count(*) AS n FROM transfers"))[0].n)).toBe(50);
    }
  });

  it("a record it cannot understand is quarantined with its reason, counted, and the rest loads", async () => {
    const dir = tempDir();
    const f = join(dir, "page.json");
    const env = JSON.parse(readFileSync(join(EP, "transfer_1.json"), "utf8"));
    env.data[1].transferToAddress = "not-an-address";
    writeFileSync(f, JSON.stringify(env));
    const { warehouse, summary } = await load([f]);
    expect(summary.quarantined).toBe(1);
    expect(summary.transfersNew).toBe(4);
    const [row] = await q(warehouse, "SELECT endpoint, reason FROM quarantine");
    expect(row).toEqual({
      endpoint: "transfer",
      reason: 'transferToAddress "not-an-address" must be 34 base58 characters starting with T',
    });
  });
});
