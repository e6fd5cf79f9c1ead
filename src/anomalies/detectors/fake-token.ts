// A token calling itself by a well-known token's symbol or name on another contract.
import { labelled, list, sql } from "../../warehouse/sql.ts";
import { amountOf, type Detector, ofTransfer } from "../detector.ts";
import { candidates, FAKE } from "../fragments.ts";

const directionIs = (d: "in" | "out" | "any") => sql`a.direction IN (${list(d === "any" ? ["in", "out"] : [d])})`;
const same = (a: string, b: unknown) =>
  a.toLowerCase() ===
  String(b ?? "")
    .trim()
    .toLowerCase();

export const fakeToken: Detector = {
  type: "fake_token",
  scoresNewTransfers: true,
  query: (ctx) =>
    labelled(
      "anomalies.fake_token",
      sql`WITH c AS (${candidates(ctx.d, ctx.watermarkMs, ctx.known, [directionIs(ctx.settings.fake_token.direction)], ctx.wallets)})
      SELECT c.wallet, c.transfer_id, c.transaction_id, c.token_id, c.token_symbol, c.token_name, c.amount,
        c.amount_raw,
        c.timestamp_ms, c.confirmed, c.direction
      FROM c WHERE ${FAKE}`,
    ),
  toAnomaly: (r, ctx) => {
    const real = ctx.known.find((k) => same(k.symbol, r.token_symbol) || same(k.name, r.token_name));
    return {
      ...ofTransfer("fake_token", r),
      // received: an airdrop posing as a real token; sent: this wallet paid with a fake
      severity: r.direction === "out" ? "critical" : "info",
      reason:
        `Token "${r.token_symbol}" ("${r.token_name}") at ${r.token_id} imitates ${real?.symbol ?? "a well-known token"} ` +
        `but is not the real one (${real?.tokenId ?? "?"}); ${r.direction === "in" ? "received" : "sent"} ${amountOf(r)}.`,
      details: { imitates: real?.tokenId ?? null, direction: r.direction },
    };
  },
};
