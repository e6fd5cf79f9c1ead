// The dashboard: a JSON API under /api/ (validated parameters, parameterised SQL) and the static pages,
// served by hono. Bound to loopback it needs no token; bound elsewhere it refuses to start without one.
import { timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Hono, type Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { bodyLimit } from "hono/body-limit";
import { serve, type ServerType } from "@hono/node-server";
import { z } from "zod";
import {
  alertsList,
  anomaliesList,
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
import { actOnAlert } from "../rules/store.ts";
import { exportPendingAlerts } from "../rules/evaluate.ts";
import { isAddress } from "../normalize/address.ts";
import { parseUnits } from "../normalize/amount.ts";
import { UsageError } from "../internal/errors.ts";
import { assertAccess, isLoopback, sha, tokensFromEnv } from "./access.ts";

export { assertAccess, tokensFromEnv } from "./access.ts";
import type { Warehouse } from "../warehouse/types.ts";
import type { Logger } from "../internal/logger.ts";
import { ANOMALY_TYPES } from "../model/anomaly-types.ts";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const uplotDir = dirname(require.resolve("uplot/dist/uPlot.iife.min.js"));
const ASSETS: Record<string, [string, string]> = {
  "/assets/app.js": [join(here, "public/app.js"), "text/javascript; charset=utf-8"],
  "/assets/app.css": [join(here, "public/app.css"), "text/css; charset=utf-8"],
  "/assets/uplot.js": [join(uplotDir, "uPlot.iife.min.js"), "text/javascript; charset=utf-8"],
  "/assets/uplot.css": [join(uplotDir, "uPlot.min.css"), "text/css; charset=utf-8"],
};
const PAGES = ["/", "/alerts", "/anomalies", "/health"];

/** The header our own pages send with every state-changing request: a cross-site form or no-cors fetch cannot. */
export const REQUEST_HEADER = "x-tronmon-request";
/** Request bodies larger than this are refused (413). */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * The host names a request may be addressed to (DNS rebinding: a hostile name resolving to us carries its own
 * Host): the bound address, loopback names when bound to loopback, and TRONMON_DASHBOARD_HOSTS (the public
 * name behind a reverse proxy).
 */
export function allowedHosts(host: string, env = process.env): Set<string> {
  const names = new Set([host.toLowerCase().replace(/^\[|\]$/g, "")]);
  if (isLoopback(host)) for (const n of ["127.0.0.1", "localhost", "::1"]) names.add(n);
  for (const n of (env.TRONMON_DASHBOARD_HOSTS ?? "")
    .split(",")
    .map((x) => x.trim().toLowerCase())
    .filter(Boolean))
    names.add(n);
  return names;
}
const hostnameOf = (hostHeader: string): string => {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(1, h.indexOf("]"));
  return h.replace(/:\d+$/, "");
};

const ms = z.iso
  .datetime({ offset: true })
  .or(z.iso.date())
  .transform((v) => Date.parse(v));
const address = z.string().refine(isAddress, "must be a TRON address");
const limit = z.coerce.number().int().min(1).max(1000).default(200);
const Q = {
  alerts: z.strictObject({
    status: z.enum(["open", "acknowledged", "resolved", "active"]).optional(),
    rule: z.string().max(200).optional(),
    wallet: address.optional(),
    from: ms.optional(),
    to: ms.optional(),
    limit,
  }),
  anomalies: z.strictObject({
    type: z.enum(ANOMALY_TYPES).optional(),
    wallet: address.optional(),
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
  act: z.strictObject({ note: z.string().trim().min(1, "a note is required").max(2000) }),
  none: z.strictObject({}),
};

class Invalid extends Error {}
function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new Invalid(r.error.issues.map((i) => `${i.path.join(".") || "(query)"}: ${i.message}`).join("; "));
  return r.data;
}

export type DashboardOptions = {
  warehouse: Warehouse;
  outDir: string;
  host: string;
  port: number;
  logger?: Logger;
  now?: () => number;
  tokens?: { name: string; digest: Buffer }[];
};

export function dashboardApp(o: DashboardOptions) {
  const tokens = o.tokens ?? tokensFromEnv();
  assertAccess(o.host, tokens);
  const now = o.now ?? Date.now;
  const w = o.warehouse;
  const app = new Hono<{ Variables: { user: string } }>();
  const hosts = allowedHosts(o.host);

  app.use("*", async (c, next) => {
    const hostHeader = c.req.header("host") ?? "";
    if (!hosts.has(hostnameOf(hostHeader)))
      return c.json(
        {
          error: `this dashboard does not answer to the host ${JSON.stringify(hostHeader.slice(0, 100))} (TRONMON_DASHBOARD_HOSTS lists more names)`,
        },
        421,
      );
    return next();
  });
  app.use("/api/*", async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    // state changes come from our own pages only: JSON, our header, and no other origin
    const origin = c.req.header("origin");
    if (origin && origin !== "null") {
      let originHost = "";
      try {
        originHost = new URL(origin).host.toLowerCase();
      } catch {
        /* refused below */
      }
      if (originHost !== (c.req.header("host") ?? "").toLowerCase())
        return c.json({ error: "cross-origin requests may not change anything" }, 403);
    } else if (origin === "null") return c.json({ error: "cross-origin requests may not change anything" }, 403);
    // a header a cross-site form or no-cors fetch cannot send: ours (our pages), or Authorization (an API client)
    if (c.req.header(REQUEST_HEADER) !== "1" && !c.req.header("authorization")) {
      return c.json(
        {
          error: `state-changing requests need the ${REQUEST_HEADER}: 1 header (sent by the dashboard's own pages) or an Authorization header`,
        },
        403,
      );
    }
    if (!/^application\/json\s*(;|$)/i.test(c.req.header("content-type") ?? ""))
      return c.json({ error: "the body must be application/json" }, 415);
    return next();
  });
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json({ error: `request bodies are limited to ${MAX_BODY_BYTES} bytes` }, 413),
    }),
  );

  app.use("*", async (c, next) => {
    c.header("x-content-type-options", "nosniff");
    c.header("referrer-policy", "no-referrer");
    c.header(
      "content-security-policy",
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
    );
    if (!tokens.length) {
      c.set("user", "local");
      return next();
    }
    const given =
      c.req.header("authorization")?.replace(/^Bearer\s+/i, "") ??
      c.req.query("access_token") ??
      getCookie(c, "tronmon_token") ??
      "";
    const digest = sha(given);
    const who = tokens.find((t) => timingSafeEqual(t.digest, digest)); // digests: equal length, constant time
    if (!who)
      return c.json(
        { error: "an access token is required (Authorization: Bearer <token>, or ?access_token= once)" },
        401,
      );
    if (c.req.query("access_token"))
      setCookie(c, "tronmon_token", given, { httpOnly: true, sameSite: "Strict", path: "/" });
    c.set("user", who.name);
    return next();
  });
  app.onError((e, c) => {
    if (e instanceof Invalid || e instanceof UsageError) return c.json({ error: e.message }, 400);
    o.logger?.error({ msg: "Dashboard request failed", path: c.req.path, error: e.message });
    return c.json({ error: "internal error" }, 500);
  });

  // Heavy reads are cached until the data changes (a load commits cursors, evaluation touches alerts,
  // detection adds anomalies) or for 60 s at most (their windows move with the clock).
  const cache = new Map<string, { version: string; at: number; body: unknown }>();
  const version = async () => JSON.stringify(await dataVersion(w));
  const remember = async (key: string, compute: () => Promise<unknown>) => {
    const v = await version();
    const hit = cache.get(key);
    if (hit && hit.version === v && Date.now() - hit.at < 60_000) return hit.body;
    const body = await compute();
    if (cache.size > 500) cache.clear();
    cache.set(key, { version: v, at: Date.now(), body });
    return body;
  };
  const keyOf = (c: Context) =>
    `${c.req.path}?${new URLSearchParams(
      Object.entries(query(c))
        .map(([k, v]) => [k, String(v)])
        .sort(),
    ).toString()}`;
  const cached = async (c: Context, compute: () => Promise<unknown>) =>
    c.json((await remember(keyOf(c), compute)) as object);
  /** Computes the overview's reads ahead (the watching process calls it after each cycle). */
  const warm = async () => {
    await remember("/api/overview?", () => overview(w, now()));
    await remember("/api/charts?", () => charts(w, now()));
  };
  const query = (c: Context) =>
    Object.fromEntries(
      Object.entries(c.req.queries())
        .filter(([k]) => k !== "access_token")
        .map(([k, v]) => [k, v.length === 1 ? v[0] : v]),
    );
  app.get("/api/overview", (c) => {
    parse(Q.none, query(c));
    return cached(c, () => overview(w, now()));
  });
  app.get("/api/charts", (c) => {
    parse(Q.none, query(c));
    return cached(c, () => charts(w, now()));
  });
  app.get("/api/last-cycle", async (c) => parse(Q.none, query(c)) && c.json(await lastFinishedRun(w)));
  app.get("/api/alerts", async (c) => c.json(await alertsList(w, parse(Q.alerts, query(c)))));
  app.get("/api/anomalies", async (c) => c.json(await anomaliesList(w, parse(Q.anomalies, query(c)))));
  app.get("/api/health", async (c) => parse(Q.none, query(c)) && c.json(await healthPage(w, now())));
  app.get("/api/wallets/:address", async (c) => {
    const addr = parse(address, c.req.param("address"));
    parse(Q.none, query(c));
    if (!(await isWatched(w, addr))) return c.json({ error: `${addr} is not a watched wallet` }, 404);
    return cached(c, () => walletPage(w, addr, now()));
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
  app.post("/api/alerts/:id/:action{ack|resolve}", async (c) => {
    const id = parse(z.string().regex(/^[0-9a-f]{16}$/, "must be an alert id"), c.req.param("id"));
    parse(Q.none, query(c));
    const body = parse(Q.act, await c.req.json().catch(() => ({})));
    const updated = await actOnAlert(w, {
      id,
      action: c.req.param("action") as "ack" | "resolve",
      note: body.note,
      by: c.get("user"),
      nowMs: now(),
    });
    await exportPendingAlerts(w, o.outDir, now());
    cache.clear();
    o.logger?.info({
      msg: "Alert updated from the dashboard",
      alert_id: id,
      status: updated.status,
      by: updated.actedBy,
    });
    return c.json(updated);
  });
  app.get("/api/*", (c) => c.json({ error: "no such endpoint" }, 404));
  for (const [path, [file, type]] of Object.entries(ASSETS))
    app.get(path, (c) => c.body(readFileSync(file), 200, { "content-type": type, "cache-control": "no-cache" }));
  app.get("/favicon.ico", (c) => c.body(null, 204));
  const shell = () => readFileSync(join(here, "public/index.html"));
  for (const p of PAGES) app.get(p, (c) => c.body(shell(), 200, { "content-type": "text/html; charset=utf-8" }));
  app.get("/wallet/:address", (c) => c.body(shell(), 200, { "content-type": "text/html; charset=utf-8" }));
  return Object.assign(app, { warm });
}

export async function serveDashboard(
  o: DashboardOptions,
): Promise<{ server: ServerType; url: string; warm(): Promise<void>; close(): Promise<void> }> {
  const app = dashboardApp(o);
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: o.port, hostname: o.host }, () => resolve(s));
    s.once("error", reject);
  });
  const port = (server.address() as { port: number }).port;
  const url = `http://${o.host.includes(":") ? `[${o.host}]` : o.host}:${port}/`;
  return { server, url, warm: app.warm, close: () => new Promise((r) => server.close(() => r())) };
}
