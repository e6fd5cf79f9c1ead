// The JSON API under /api/: every parameter validated (zod, unknown ones refused), every read through
// dashboard/queries.ts, heavy reads cached; the one write a person makes (acknowledge/resolve an alert).
import type { Context, Hono } from "hono";
import { z } from "zod";
import { FINDING_TYPES } from "../model/anomaly-types.ts";
import { isAddress } from "../model/address.ts";
import { parseUnits } from "../model/amount.ts";
import { exportPendingAlerts } from "../rules/evaluate.ts";
import { actOnAlert } from "../rules/alert-store.ts";
import { closeAlert } from "../triage/close.ts";
import { DISPOSITIONS } from "../model/triage.ts";
import { reviewAnomalies } from "../anomalies/anomaly-store.ts";
import { pageCache } from "./cache.ts";
import { riskPage } from "./risk-queries.ts";
import { walletByLabel } from "./desk-queries.ts";
import { deskRoutes } from "./desk-routes.ts";
import { type ApiOptions, Invalid, ms, parse, SUPPRESS } from "./params.ts";

export { Invalid };
import {
  alertsList,
  anomaliesList,
  anomalyFeed,
  newestActivityMs,
  charts,
  dataVersion,
  healthPage,
  isWatched,
  lastFinishedRun,
  overview,
  SORTS,
  walletActivityPage,
  walletPage,
} from "./queries.ts";

/** A wallet as people type it: an address, or a watched wallet's label (resolved by `wallet()` below). */
const walletText = z.string().trim().min(1).max(200);
const limit = z.coerce.number().int().min(1).max(1000).default(200);
const address = z.string().refine(isAddress, "must be a TRON address");
const Q = {
  alerts: z.strictObject({
    status: z.enum(["open", "acknowledged", "resolved", "active"]).optional(),
    rule: z.string().max(200).optional(),
    wallet: walletText.optional(),
    from: ms.optional(),
    to: ms.optional(),
    limit,
  }),
  anomalies: z.strictObject({
    min_severity: z.enum(["info", "warning", "critical"]).optional(),
    type: z.enum(FINDING_TYPES).optional(),
    wallet: walletText.optional(),
    from: ms.optional(),
    to: ms.optional(),
    limit,
  }),
  activity: z.strictObject({
    kind: z.enum(["transfer", "transaction"]).optional(),
    token: z
      .string()
      .regex(/^(_|\d{1,12}|T[1-9A-HJ-NP-Za-km-z]{33})$/, "must be a token id (_, a TRC10 id or a TRC20 contract)")
      .optional(),
    direction: z.enum(["in", "out", "self"]).optional(),
    status: z.enum(["success", "failed"]).optional(),
    from: ms.optional(),
    to: ms.optional(),
    min: z
      .string()
      .regex(/^\d{1,38}(\.\d{1,77})?$/, "must be a decimal amount of at most 38 digits")
      .optional(),
    max: z
      .string()
      .regex(/^\d{1,38}(\.\d{1,77})?$/, "must be a decimal amount of at most 38 digits")
      .optional(),
    decimals: z.coerce.number().int().min(0).max(77).optional(),
    sort: z.enum(Object.keys(SORTS) as [keyof typeof SORTS]).default("time"),
    order: z.enum(["asc", "desc"]).default("desc"),
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    page_size: z.coerce.number().int().min(1).max(500).default(50),
  }),
  act: z.strictObject({
    note: z.string().trim().min(1, "a note is required").max(2000),
    disposition: z.enum(DISPOSITIONS).optional(),
    suppress: SUPPRESS.optional(),
  }),
  asOf: z.strictObject({ as_of: z.literal("newest").or(ms).optional() }),
  feed: z.strictObject({
    min_severity: z.enum(["info", "warning", "critical"]).default("warning"),
    wallet: walletText.optional(),
    type: z.enum(FINDING_TYPES).optional(),
    from: ms.optional(),
    to: ms.optional(),
    limit,
  }),
  review: z.strictObject({
    wallet: address,
    type: z.enum(FINDING_TYPES),
    day: z.iso.date().transform((v) => Date.parse(`${v}T00:00:00Z`)),
  }),
  none: z.strictObject({}),
};

/** Installs the API routes; returns `warm`, which computes the overview's reads ahead. */
export function apiRoutes(app: Hono<{ Variables: { user: string } }>, o: ApiOptions) {
  const { warehouse: w, now } = o;
  const cache = pageCache(async () => JSON.stringify(await dataVersion(w)));
  const remember = cache.remember;
  const cached = async (c: Context, compute: () => Promise<unknown>) =>
    c.json((await remember(cache.keyOf(c.req.path, query(c)), compute)) as object);
  const query = (c: Context) =>
    Object.fromEntries(
      Object.entries(c.req.queries())
        .filter(([k]) => k !== "access_token")
        .map(([k, v]) => [k, v.length === 1 ? v[0] : v]),
    );
  /**
   * The time a page's windows end at: now, or `as_of` (an ISO time, or "newest": the newest stored activity, for
   * history whose windows counted back from the wall clock would be empty).
   */
  const timed = async (as_of: number | "newest" | undefined, page: (at: number) => Promise<object | null>) => {
    const newest = await newestActivityMs(w);
    const at = as_of === undefined ? now() : as_of === "newest" ? (newest ?? now()) : as_of;
    const newestData = newest === null ? null : new Date(newest).toISOString();
    return { ...(await page(at)), as_of: new Date(at).toISOString(), newest_data: newestData };
  };
  const asOf = (c: Context, page: (at: number) => Promise<object | null>) => {
    const { as_of } = parse(Q.asOf, query(c));
    return cached(c, () => timed(as_of, page));
  };
  /** A wallet filter as typed: an address stays, a watched wallet's label becomes its address; else a 400. */
  const withWallet = async <F extends { wallet?: string }>(f: F): Promise<F> => {
    if (f.wallet === undefined || isAddress(f.wallet)) return f;
    const found = await walletByLabel(w, f.wallet);
    if (!found)
      throw new Invalid(`wallet: ${JSON.stringify(f.wallet)} is neither a TRON address nor a watched wallet's label`);
    return { ...f, wallet: found };
  };
  app.get("/api/overview", (c) => asOf(c, (at) => overview(w, at)));
  app.get("/api/charts", (c) => asOf(c, (at) => charts(w, at)));
  app.get("/api/risk", (c) => asOf(c, (at) => riskPage(w, at)));
  app.get("/api/anomalies/feed", async (c) => c.json(await anomalyFeed(w, await withWallet(parse(Q.feed, query(c))))));
  app.post("/api/anomalies/review", async (c) => {
    parse(Q.none, query(c));
    const body = parse(Q.review, await c.req.json().catch(() => ({})));
    const by = c.get("user");
    const n = await reviewAnomalies(w, { wallet: body.wallet, type: body.type, dayMs: body.day, by, nowMs: now() });
    cache.clear();
    o.logger?.info({ msg: "Anomalies reviewed from the dashboard", wallet: body.wallet, type: body.type, n, by });
    return c.json({ reviewed: n, by });
  });
  app.get("/api/last-cycle", async (c) => parse(Q.none, query(c)) && c.json(await lastFinishedRun(w)));
  app.get("/api/alerts", async (c) => c.json(await alertsList(w, await withWallet(parse(Q.alerts, query(c))))));
  app.get("/api/anomaly-types", (c) => parse(Q.none, query(c)) && c.json(FINDING_TYPES));
  app.get("/api/anomalies", async (c) =>
    c.json(await anomaliesList(w, await withWallet(parse(Q.anomalies, query(c))))),
  );
  app.get("/api/health", async (c) => parse(Q.none, query(c)) && c.json(await healthPage(w, now())));
  app.get("/api/wallets/:address", async (c) => {
    const addr = parse(address, c.req.param("address"));
    parse(Q.asOf, query(c));
    if (!(await isWatched(w, addr))) return c.json({ error: `${addr} is not a watched wallet` }, 404);
    return asOf(c, (at) => walletPage(w, addr, at));
  });
  app.get("/api/wallets/:address/activity", async (c) => {
    const addr = parse(address, c.req.param("address"));
    const f = parse(Q.activity, query(c));
    if ((f.min !== undefined || f.max !== undefined) && (!f.token || f.decimals === undefined))
      throw new Invalid(
        "min/max: an amount range needs a token and its decimals (amounts of different tokens do not compare)",
      );
    const raw = (v?: string) => {
      if (v === undefined) return undefined;
      try {
        const units = parseUnits(v, f.decimals!);
        if (units.toString().length > 38) throw new RangeError(`${v} is more than 38 digits in the token's units`);
        return units.toString();
      } catch (e) {
        throw new Invalid(`min/max: ${(e as Error).message}`);
      }
    };
    return cached(c, () =>
      walletActivityPage(w, addr, { ...f, minRaw: raw(f.min), maxRaw: raw(f.max), pageSize: f.page_size }),
    );
  });
  alertActions(app, o, { clear: cache.clear, query });
  deskRoutes(app, { ...o, withWallet, clear: cache.clear, query });
  app.get("/api/*", (c) => c.json({ error: "no such endpoint" }, 404));
  /** Computes the overview's reads ahead (the watching process calls it after each cycle). */
  return async () => {
    await remember("/api/overview?", () => timed(undefined, (at) => overview(w, at)));
    await remember("/api/charts?", () => timed(undefined, (at) => charts(w, at)));
  };
}

/** Acknowledge or resolve an alert (resolve with a disposition, and a suppression, goes through triage/close.ts). */
function alertActions(
  app: Hono<{ Variables: { user: string } }>,
  o: ApiOptions,
  d: { clear: () => void; query: (c: Context) => Record<string, unknown> },
) {
  const { warehouse: w, now } = o;
  const query = d.query;
  app.post("/api/alerts/:id/:action{ack|resolve}", async (c) => {
    const id = parse(z.string().regex(/^[0-9a-f]{16}$/, "must be an alert id"), c.req.param("id"));
    parse(Q.none, query(c));
    const body = parse(Q.act, await c.req.json().catch(() => ({})));
    const action = c.req.param("action") as "ack" | "resolve";
    if (action === "ack" && (body.disposition || body.suppress))
      throw new Invalid("disposition: an acknowledged alert stays open; a disposition goes with resolve");
    if (body.suppress && !body.disposition)
      throw new Invalid("suppress: needs a disposition (false_positive or benign)");
    const by = c.get("user");
    const updated = body.disposition
      ? (
          await closeAlert(w, {
            id,
            disposition: body.disposition,
            reason: body.note,
            by,
            nowMs: now(),
            suppress: body.suppress
              ? { factor: body.suppress.factor ?? o.reopenFactor ?? "2", untilMs: body.suppress.until ?? null }
              : null,
          })
        ).alert
      : await actOnAlert(w, { id, action, note: body.note, by, nowMs: now() });
    await exportPendingAlerts(w, o.outDir, now());
    d.clear();
    o.logger?.info({
      msg: "Alert updated from the dashboard",
      alert_id: id,
      status: updated.status,
      disposition: body.disposition ?? null,
      suppressed: Boolean(body.suppress),
      by: updated.actedBy,
    });
    return c.json(updated);
  });
}
