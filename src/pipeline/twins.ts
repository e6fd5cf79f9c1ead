// TRC20 list rows carry no event index: two identical Transfers of one transaction are one row to us. The
// transaction's own list of Transfers (/api/transaction-info) says how many there are.
const tuple = (contract: unknown, from: unknown, to: unknown, amount: unknown) => `${contract}|${from}|${to}|${amount}`;

/** How many times each (contract, from, to, amount) Transfer occurs in a /api/transaction-info body. */
export function transfersIn(body: unknown): Map<string, number> | null {
  const b = (body ?? {}) as Record<string, unknown>;
  const list = [b.trc20TransferInfo, b.transfersAllList].find(Array.isArray) as Record<string, unknown>[] | undefined;
  if (!list) return null;
  const n = new Map<string, number>();
  for (const t of list) {
    if (t.type !== undefined && t.type !== "Transfer") continue;
    const k = tuple(t.contract_address, t.from_address, t.to_address, t.amount_str ?? t.amount ?? t.quant);
    n.set(k, (n.get(k) ?? 0) + 1);
  }
  return n;
}

/** The key of a /api/token_trc20/transfers row in `transfersIn`'s map. */
export function transferKey(record: unknown): string {
  const r = record as Record<string, unknown>;
  return tuple(r.contract_address, r.from_address, r.to_address, r.quant);
}
