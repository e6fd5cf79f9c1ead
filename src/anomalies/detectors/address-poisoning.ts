// Incoming zero or dust transfers from an address that is not a known counterparty but looks like one: the
// same first `prefix` and last `suffix` characters as an address the wallet really transacts with.
import { wellKnownToken } from "../../model/tokens.ts";
import { parseUnits } from "../../model/amount.ts";
import { join, labelled, raw, sql } from "../../warehouse/sql.ts";
import { amountOf, type Detector, ofTransfer, tokenOf } from "../detector.ts";
import { candidates, pairsOf } from "../fragments.ts";

export const addressPoisoning: Detector = {
  type: "address_poisoning",
  scoresNewTransfers: true,
  query: (ctx) => {
    const p = ctx.settings.address_poisoning;
    const decimalsOf = (token: string) => ctx.decimals.get(token) ?? wellKnownToken(token)?.decimals ?? 6;
    const dust = p.dust.map((x) => {
      const max = parseUnits(x.max, decimalsOf(x.token)).toString();
      return sql`(c.token_id = ${x.token} AND c.amount_num <= CAST(${max} AS DECIMAL(38,0)))`;
    });
    const isDust = join([raw("c.amount_raw = '0'"), ...dust], " OR ");
    const cols = raw(
      "c.wallet, c.transfer_id, c.transaction_id, c.token_id, c.token_symbol, c.amount, c.amount_raw, c.timestamp_ms, c.confirmed",
    );
    const knownBefore = (alias: string, earlier: boolean) =>
      sql`${raw(alias)}.wallet = c.wallet${earlier ? raw(` AND ${alias}.first_value_ms < c.timestamp_ms`) : raw("")}`;
    return labelled(
      "anomalies.address_poisoning",
      sql`WITH c AS (${candidates(ctx.d, ctx.watermarkMs, ctx.known, [], ctx.wallets)}),
      known AS (
        SELECT p.wallet, p.counterparty, p.first_value_ms FROM counterparties p
        WHERE p.first_value_ms IS NOT NULL AND p.wallet IN (SELECT wallet FROM c)
        UNION ALL SELECT wallet, counterparty, first_value_ms FROM (${pairsOf()})
        WHERE first_value_ms IS NOT NULL
      )
      SELECT ${cols}, c.direction, c.counterparty AS lookalike, min(k.counterparty) AS imitated
      FROM c JOIN known k ON k.wallet = c.wallet AND k.counterparty <> c.counterparty
        AND left(k.counterparty, ${p.prefix}) = left(c.counterparty, ${p.prefix})
        AND right(k.counterparty, ${p.suffix}) = right(c.counterparty, ${p.suffix})
        AND (c.direction = 'in' OR k.first_value_ms < c.timestamp_ms)
      WHERE (c.direction = 'in' AND (${isDust})
          AND NOT EXISTS (SELECT 1 FROM known x WHERE ${knownBefore("x", false)} AND x.counterparty = c.counterparty))
        OR (c.direction = 'out' AND c.amount_raw <> '0'
          AND NOT EXISTS (SELECT 1 FROM known x WHERE ${knownBefore("x", true)} AND x.counterparty = c.counterparty))
      GROUP BY ${cols}, c.direction, c.counterparty`,
    );
  },
  toAnomaly: (r, ctx) => {
    const p = ctx.settings.address_poisoning;
    const alike = `(same first ${p.prefix} and last ${p.suffix} characters)`;
    const details = { lookalike: r.lookalike, imitated: r.imitated, prefix: p.prefix, suffix: p.suffix };
    if (r.direction === "out")
      return {
        ...ofTransfer("address_poisoning", r),
        severity: "critical",
        reason:
          `Sent ${amountOf(r)} ${tokenOf(r)} to ${r.lookalike}, which imitates ${r.imitated}, a real counterparty of ` +
          `this wallet ${alike}, and was never paid before: the address was likely copied from a poisoning ` +
          "transfer — check with the intended recipient.",
        details: { ...details, paid: true },
      };
    return {
      ...ofTransfer("address_poisoning", r),
      severity: "warning",
      reason:
        `Received ${amountOf(r)} ${tokenOf(r)} from ${r.lookalike}, which imitates ${r.imitated}, a real counterparty ` +
        `of this wallet ${alike}: likely address poisoning — do not copy this address.`,
      details,
    };
  },
};
