// The dashboard: the guards (auth.ts), the JSON API (routes.ts) and the static pages, served by hono. Bound to
// loopback it needs no token; bound elsewhere it refuses to start without one.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import type { Logger } from "../internal/logger.ts";
import { UsageError } from "../internal/errors.ts";
import type { Warehouse } from "../warehouse/types.ts";
import { assertAccess, tokensFromEnv } from "./access.ts";
import { guard } from "./auth.ts";
import { apiRoutes, Invalid } from "./routes.ts";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const uplotDir = dirname(require.resolve("uplot/dist/uPlot.iife.min.js"));
const TYPES: Record<string, string> = { ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };
/** The page scripts (app.js, ui.js, lists.js, pages/*.js) and the stylesheet, each at /assets/<its path>. */
const OWN_ASSETS = readdirSync(join(here, "public"), { recursive: true })
  .map(String)
  .filter((f) => extname(f) in TYPES)
  .map((f): [string, [string, string]] => [
    `/assets/${f.split(sep).join("/")}`,
    [join(here, "public", f), TYPES[extname(f)]],
  ]);
const ASSETS: Record<string, [string, string]> = {
  ...Object.fromEntries(OWN_ASSETS),
  "/assets/uplot.js": [join(uplotDir, "uPlot.iife.min.js"), "text/javascript; charset=utf-8"],
  "/assets/uplot.css": [join(uplotDir, "uPlot.min.css"), "text/css; charset=utf-8"],
};
const PAGES = ["/", "/queue", "/wallets", "/alerts", "/anomalies", "/risk", "/health", "/search"];

export type DashboardOptions = {
  warehouse: Warehouse;
  outDir: string;
  host: string;
  port: number;
  logger?: Logger;
  now?: () => number;
  tokens?: { name: string; digest: Buffer }[];
  /** triage.reopen_factor (default "2"). */
  reopenFactor?: string;
  /** Each watched wallet's detector profile, shown on the wallets page. */
  profiles?: Record<string, string | null>;
};

export function dashboardApp(o: DashboardOptions) {
  const tokens = o.tokens ?? tokensFromEnv();
  assertAccess(o.host, tokens);
  const now = o.now ?? Date.now;
  const app = new Hono<{ Variables: { user: string } }>();

  guard(app, { host: o.host, tokens });
  app.onError((e, c) => {
    if (e instanceof Invalid || e instanceof UsageError) return c.json({ error: e.message }, 400);
    o.logger?.error({ msg: "Dashboard request failed", path: c.req.path, error: e.message });
    return c.json({ error: "internal error" }, 500);
  });

  const warm = apiRoutes(app, {
    warehouse: o.warehouse,
    outDir: o.outDir,
    now,
    logger: o.logger,
    reopenFactor: o.reopenFactor,
    profiles: o.profiles,
  });
  for (const [path, [file, type]] of Object.entries(ASSETS))
    app.get(path, (c) => c.body(readFileSync(file), 200, { "content-type": type, "cache-control": "no-cache" }));
  app.get("/favicon.ico", (c) => c.body(null, 204));
  const shell = () => readFileSync(join(here, "public/index.html"));
  for (const p of PAGES) app.get(p, (c) => c.body(shell(), 200, { "content-type": "text/html; charset=utf-8" }));
  for (const p of ["/wallet/:address", "/tx/:hash", "/address/:address"])
    app.get(p, (c) => c.body(shell(), 200, { "content-type": "text/html; charset=utf-8" }));
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
