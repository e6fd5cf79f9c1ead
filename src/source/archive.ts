// Raw page archive: every fetched page, gzip-compressed, with what is needed to replay it.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { safeJson } from "../internal/json.ts";
import { ARCHIVE_FORMAT, type Endpoint } from "../model/rows.ts";
import type { Response } from "./tronscan/client.ts";

export type Archive = { save(args: { endpoint: Endpoint; wallet: string; response: Response }): string | null };

export function createArchive(args: { dir: string | null }): Archive {
  let seq = 0;
  return {
    save({ endpoint, wallet, response }) {
      if (!args.dir) return null;
      const fetched = new Date(response.fetchedAtMs).toISOString();
      const folder = join(args.dir, endpoint, wallet, fetched.slice(0, 10));
      mkdirSync(folder, { recursive: true });
      const name = `${fetched.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}_${process.pid}_${String(++seq).padStart(6, "0")}.json.gz`;
      const path = join(folder, name);
      const { apiKey: _omit, ...params } = response.params as Record<string, string>;
      const doc = {
        format: ARCHIVE_FORMAT,
        endpoint,
        wallet,
        url: response.url.split("?")[0],
        params,
        fetched_at: fetched,
        status: response.status,
      };
      // the body as received (any depth, long integers untouched), else as parsed
      const body = response.text ?? safeJson(response.body);
      writeFileSync(path, gzipSync(`${JSON.stringify(doc).slice(0, -1)},"body":${body}}`));
      return path;
    },
  };
}
