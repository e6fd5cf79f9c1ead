// The desk's API: the triage queue, the wallets page, search, a transaction's movements, a counterparty's dealings,
// closing a finding with a disposition (and a suppression), suppressions and the precision report.
import type { Context, Hono } from "hono";
import { z } from "zod";
import { isAddress } from "../model/address.ts";
import { DISPOSITIONS } from "../model/triage.ts";
import { closeFinding } from "../triage/close.ts";
import { removeSuppression } from "../warehouse/triage.ts";
import { addressPage, decisions, search, transactionPage, triageQueue, walletsPage } from "./desk-queries.ts";
import { type ApiOptions, parse, SUPPRESS } from "./params.ts";

type Deps = ApiOptions & {
  withWallet: <F extends { wallet?: string }>(f: F) => Promise<F>;
  clear: () => void;
  query: (c: Context) => Record<string, unknown>;
};

const none = z.strictObject({});
const Q = {
  queue: z.strictObject({
    wallet: z.string().trim().min(1).max(200).optional(),
    min_severity: z.enum(["info", "warning", "critical"]).default("warning"),
    kind: z.enum(["alert", "finding"]).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  }),
  search: z.strictObject({ q: z.string().max(200) }),
  close: z.strictObject({
    disposition: z.enum(DISPOSITIONS),
    reason: z.string().trim().min(1, "a reason is required").max(2000),
    suppress: SUPPRESS.optional(),
  }),
};
const hash = z.string().regex(/^[0-9a-fA-F]{64}$/, "must be a transaction hash (64 hex digits)");
const address = z.string().refine(isAddress, "must be a TRON address");

export function deskRoutes(app: Hono<{ Variables: { user: string } }>, o: Deps): void {
  const { warehouse: w, now } = o;
  app.get("/api/queue", async (c) => c.json(await triageQueue(w, await o.withWallet(parse(Q.queue, o.query(c))))));
  app.get("/api/wallets", async (c) => parse(none, o.query(c)) && c.json(await walletsPage(w, o.profiles ?? {})));
  app.get("/api/search", async (c) => c.json(await search(w, parse(Q.search, o.query(c)).q)));
  app.get("/api/tx/:hash", async (c) => {
    parse(none, o.query(c));
    const page = await transactionPage(w, parse(hash, c.req.param("hash")).toLowerCase());
    return page ? c.json(page) : c.json({ error: "no such transaction among the stored ones" }, 404);
  });
  app.get("/api/address/:address", async (c) => {
    parse(none, o.query(c));
    return c.json(await addressPage(w, parse(address, c.req.param("address"))));
  });
  app.get("/api/decisions", async (c) => parse(none, o.query(c)) && c.json(await decisions(w, now())));
  app.post("/api/findings/:id/close", async (c) => {
    const id = parse(z.string().min(1).max(200), c.req.param("id"));
    parse(none, o.query(c));
    const body = parse(Q.close, await c.req.json().catch(() => ({})));
    const by = c.get("user");
    const r = await closeFinding(w, {
      id,
      disposition: body.disposition,
      reason: body.reason,
      by,
      nowMs: now(),
      suppress: body.suppress
        ? {
            factor: body.suppress.factor ?? o.reopenFactor ?? "2",
            untilMs: body.suppress.until ?? null,
            anyCounterparty: body.suppress.any_counterparty,
          }
        : null,
    });
    o.clear();
    o.logger?.info({ msg: "Finding closed from the dashboard", id, disposition: body.disposition, by });
    return c.json({ id, disposition: body.disposition, by, suppression: r.suppression });
  });
  app.post("/api/suppressions/:id/remove", async (c) => {
    const id = parse(z.string().regex(/^[0-9a-f]{12}$/, "must be a suppression id"), c.req.param("id"));
    parse(none, o.query(c));
    const by = c.get("user");
    await removeSuppression(w, id, by, now());
    o.clear();
    o.logger?.info({ msg: "Suppression removed from the dashboard", id, by });
    return c.json({ removed: id, by });
  });
}
