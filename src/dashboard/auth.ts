// Who may use the dashboard and how: the Host a request is addressed to (DNS rebinding), state changes from our
// own pages only (Origin, our header, JSON, a body limit), security headers, and access tokens off loopback.
import { timingSafeEqual } from "node:crypto";
import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie, setCookie } from "hono/cookie";
import { isLoopback, sha } from "./access.ts";

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

export type Token = { name: string; digest: Buffer };
type App = Hono<{ Variables: { user: string } }>;

/** Installs the guards on every route of the app. */
export function guard(app: App, o: { host: string; tokens: Token[] }): void {
  const hosts = allowedHosts(o.host);
  const tokens = o.tokens;
  app.use("*", async (c, next) => {
    const hostHeader = c.req.header("host") ?? "";
    if (!hosts.has(hostnameOf(hostHeader)))
      return c.json(
        {
          error:
            `this dashboard does not answer to the host ${JSON.stringify(hostHeader.slice(0, 100))} ` +
            "(TRONMON_DASHBOARD_HOSTS lists more names)",
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
          error:
            `state-changing requests need the ${REQUEST_HEADER}: 1 header (sent by the dashboard's own pages) ` +
            "or an Authorization header",
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
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'",
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
}
