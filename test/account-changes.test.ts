// A watched wallet's change of control, read from either source's stored transaction (hand-built records of both
// shapes), and the findings it makes in a real DuckDB: the key sets before and after, and a large approval.
import { describe, expect, it } from "vitest";
import { approvalCall, describePermissions, permissionUpdate } from "../src/risk/account-changes.ts";
import { screenAccountChanges } from "../src/risk/account-screen.ts";
import { parseConfig } from "../src/config/load.ts";
import { addressToHex } from "../src/model/address.ts";
import { emptyBatch, type TransactionRow } from "../src/model/rows.ts";
import { W } from "./builders.ts";
import { closeAfterEach, memoryWarehouse } from "./helpers.ts";
import { stmt } from "./stmt.ts";

const K1 = "TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre";
const K2 = "TEAqwfMhXLaomXhZ8KeMhx3njGmQEDnsUR";
const USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
const hex = (a: string) => addressToHex(a);
const word = (a: string) => hex(a).slice(2).padStart(64, "0");

const tronscanUpdate = (owner: string[], threshold = 1) => ({
  contractType: 46,
  contractData: {
    owner_address: W,
    owner: { permission_name: "owner", threshold, keys: owner.map((address) => ({ address, weight: 1 })) },
    actives: [{ permission_name: "active", threshold: 1, keys: [{ address: W, weight: 1 }] }],
  },
});
const nodeUpdate = (owner: string[]) => ({
  raw_data: {
    contract: [
      {
        type: "AccountPermissionUpdateContract",
        parameter: {
          value: {
            owner_address: hex(W),
            owner: { threshold: 2, keys: owner.map((a) => ({ address: hex(a), weight: 1 })) },
            actives: [
              { type: "Active", permission_name: "active", threshold: 1, keys: [{ address: hex(K1), weight: 1 }] },
            ],
          },
        },
      },
    ],
  },
});
const approveData = (spender: string, value: bigint) =>
  `095ea7b3${word(spender)}${value.toString(16).padStart(64, "0")}`;

describe("reading permission updates and approvals", () => {
  it("the same key sets from TronScan's record and from the node's transaction", () => {
    expect(describePermissions(permissionUpdate(tronscanUpdate([K2, K1], 2))!)).toBe(
      `owner 2/2 [${K1}(1), ${K2}(1)]; active 1/1 [${W}(1)]`,
    );
    expect(describePermissions(permissionUpdate(nodeUpdate([K1, K2]))!)).toBe(
      `owner 2/2 [${K1}(1), ${K2}(1)]; active 1/1 [${K1}(1)]`,
    );
    expect(permissionUpdate({ contractData: { amount: 5 } })).toBeNull();
  });

  it("approve and increaseApproval: token, spender and exact value; other calls are not approvals", () => {
    const max = 2n ** 256n - 1n;
    expect(approvalCall({ contractData: { contract_address: USDT, data: approveData(K1, max) } })).toEqual({
      method: "approve",
      token: USDT,
      spender: K1,
      valueRaw: max.toString(),
    });
    const inc = `d73dd623${word(K2)}${(5n * 10n ** 12n).toString(16).padStart(64, "0")}`;
    expect(
      approvalCall({ raw_data: { contract: [{ parameter: { value: { contract_address: hex(USDT), data: inc } } }] } }),
    ).toMatchObject({ method: "increaseApproval", spender: K2, valueRaw: "5000000000000" });
    expect(
      approvalCall({ contractData: { contract_address: USDT, data: `a9059cbb${word(K1)}${"0".repeat(64)}` } }),
    ).toBeNull();
  });
});

describe("findings", () => {
  it("a permission change names the keys before and after; an approval above the setting to an unknown spender warns", async () => {
    const w = closeAfterEach(await memoryWarehouse());
    await w.setWallets([{ address: W, label: null }]);
    const tx = (hash: string, ts: number, contractType: number, raw: unknown): TransactionRow => ({
      hash,
      block: 1,
      timestampMs: ts,
      ownerAddress: W,
      toAddress: contractType === 31 ? USDT : null,
      contractType,
      contractTypeName: contractType === 31 ? "TriggerSmartContract" : "AccountPermissionUpdateContract",
      status: "success",
      contractRet: "SUCCESS",
      confirmed: true,
      feeSun: "0",
      raw: JSON.stringify(raw),
      detail: 1,
      observedAtMs: ts,
    });
    const config = parseConfig({ wallets: [{ address: W }], risk: { approvals: { allowed_spenders: { "*": [K2] } } } });
    const ts = Date.parse("2026-03-01T00:00:00Z");
    await w.load({
      batch: {
        ...emptyBatch(),
        transactions: [
          tx("a".repeat(64), ts, 46, tronscanUpdate([W])),
          tx("b".repeat(64), ts + 1000, 46, tronscanUpdate([K1], 1)),
          // 2,000,000 USDT to an unknown spender: above the shipped 1,000,000; the same to an allowed one: nothing
          tx("c".repeat(64), ts + 2000, 31, {
            contractData: { contract_address: USDT, data: approveData(K1, 2n * 10n ** 12n) },
          }),
          tx("d".repeat(64), ts + 3000, 31, {
            contractData: { contract_address: USDT, data: approveData(K2, 2n ** 256n - 1n) },
          }),
          tx("e".repeat(64), ts + 4000, 31, {
            contractData: { contract_address: USDT, data: approveData(K1, 10n ** 6n) },
          }),
        ],
      },
      runId: "t",
    });
    expect(await screenAccountChanges(w, config.risk, ts + 10_000)).toEqual({
      permission_change: 2,
      large_approval: 1,
    });
    expect(await screenAccountChanges(w, config.risk, ts + 20_000)).toEqual({});
    const rows = await w.query<{ anomaly_type: string; transaction_id: string; severity: string; reason: string }>(
      stmt("SELECT anomaly_type, transaction_id, severity, reason FROM anomalies ORDER BY occurred_at_ms"),
    );
    expect(rows.map((r) => [r.anomaly_type, r.transaction_id[0], r.severity])).toEqual([
      ["permission_change", "a", "critical"],
      ["permission_change", "b", "critical"],
      ["large_approval", "c", "warning"],
    ]);
    expect(rows[1].reason).toBe(
      `The wallet's keys were replaced (AccountPermissionUpdateContract): now owner 1/1 [${K1}(1)]; active 1/1 [${W}(1)]; before: owner 1/1 [${W}(1)]; active 1/1 [${W}(1)]. If this was not you, the wallet may be taken over.`,
    );
    expect(rows[2].reason).toMatch(
      new RegExp(`^approve of 2000000 USDT to ${K1}, a spender not on this wallet's allow-list`),
    );
  });
});
