// The yardstick of every sync test: what the warehouse holds, compared as sets with the emulator's ground truth.
import { expect } from "vitest";
import { exportRows } from "../src/export/table-rows.ts";
import { TRANSFER_EXPORT_FIELDS } from "../src/model/columns.ts";
import type { Warehouse } from "../src/warehouse/types.ts";
import type { Emulator } from "../src/emulator/server.ts";
import { stmt } from "./stmt.ts";

export async function snapshot(w: Warehouse) {
  const transfers: string[] = [];
  for await (const rows of exportRows(w, "transfers", {}))
    for (const r of rows) transfers.push(JSON.stringify(pick(r)));
  const txs = await w.query<Record<string, unknown>>(
    stmt("SELECT hash, block, timestamp_ms, contract_type, status, confirmed FROM transactions ORDER BY hash"),
  );
  return {
    transfers: transfers.sort(),
    transactions: txs.map((t) =>
      JSON.stringify({ ...t, block: Number(t.block), timestamp_ms: Number(t.timestamp_ms) }),
    ),
  };
}

const pick = (r: Record<string, unknown>) => Object.fromEntries(TRANSFER_EXPORT_FIELDS.map((f) => [f, r[f]]));

export function truth(emu: Emulator, wallets: string[]) {
  const t = emu.truth(wallets);
  return {
    transfers: t.transfers.map((r) => JSON.stringify(pick(r))).sort(),
    transactions: t.transactions
      .map((x) =>
        JSON.stringify({
          hash: x.hash,
          block: x.block,
          timestamp_ms: Date.parse(String(x.timestamp_utc)),
          contract_type: x.contract_type,
          status: x.status,
          confirmed: x.confirmed,
        }),
      )
      .sort(),
  };
}

export function expectEqualSets(actual: string[], expected: string[], what: string) {
  const a = new Set(actual);
  const e = new Set(expected);
  const missing = expected.filter((x) => !a.has(x));
  const extra = actual.filter((x) => !e.has(x));
  expect({
    what,
    missing: missing.slice(0, 3),
    extra: extra.slice(0, 3),
    missingCount: missing.length,
    extraCount: extra.length,
    duplicates: actual.length - a.size,
  }).toEqual({ what, missing: [], extra: [], missingCount: 0, extraCount: 0, duplicates: 0 });
}
