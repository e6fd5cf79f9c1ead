// Reading a risk-list file: TXT (one address a line), CSV (address, category, note), JSON (an array of addresses
// or of {address, category, note}) and OFAC's SDN_ADVANCED.XML (streamed: TRON addresses of the TRX and USDT
// feature types). Out: the entries, merged by address, and the invalid addresses (reported, never loaded). A file
// that cannot be read as its format (broken JSON, CSV or XML, a wrong shape) is refused with file, line and value.
import { accessSync, constants, createReadStream, readFileSync } from "node:fs";
import { extname } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { SaxesParser } from "saxes";
import { InputError } from "../internal/errors.ts";
import { addressFromHex, addressProblem } from "../model/address.ts";

export type ListEntry = { address: string; category: string; note: string | null; line: number };
export type Rejected = { line: number; value: string; problem: string };
export type ParsedList = { format: ListFormat; entries: ListEntry[]; rejected: Rejected[] };
export type ListFormat = "txt" | "csv" | "json" | "sdn-xml";

/**
 * TRON's address form: base58check (T…), or its hex form (41 and 20 bytes) turned into base58check. A bare
 * 20-byte hex (0x…) is another chain's address, not a TRON one: rejected.
 */
export function tronAddress(value: string): { address: string } | { problem: string } {
  const v = value.trim();
  if (/^41[0-9a-fA-F]{40}$/.test(v)) return { address: addressFromHex(v) };
  const problem = addressProblem(v);
  return problem ? { problem: `not a TRON address: ${problem}` } : { address: v };
}

export function formatOf(file: string, text?: string): ListFormat {
  const ext = extname(file).toLowerCase();
  if (ext === ".csv") return "csv";
  if (ext === ".json") return "json";
  if (ext === ".xml") return "sdn-xml";
  if (ext === ".txt" || ext === ".lst" || ext === "") return "txt";
  const head = (text ?? "").trimStart();
  if (head.startsWith("<")) return "sdn-xml";
  if (head.startsWith("[")) return "json";
  throw new InputError(`${file}: unknown list format "${ext}" (use .txt, .csv, .json or SDN_ADVANCED .xml)`);
}

class Collector {
  readonly byAddress = new Map<string, ListEntry>();
  readonly rejected: Rejected[] = [];
  constructor(readonly defaultCategory: string) {}
  add(value: string, line: number, category?: string | null, note?: string | null) {
    const a = tronAddress(value);
    if ("problem" in a) {
      this.rejected.push({ line, value, problem: a.problem });
      return;
    }
    const seen = this.byAddress.get(a.address);
    const cat = category?.trim() || this.defaultCategory;
    if (seen) {
      // merged by address: a second line keeps the first category, adds its note
      if (note && !seen.note?.includes(note)) seen.note = seen.note ? `${seen.note}; ${note}` : note;
      return;
    }
    this.byAddress.set(a.address, { address: a.address, category: cat, note: note?.trim() || null, line });
  }
  result(format: ListFormat): ParsedList {
    return { format, entries: [...this.byAddress.values()], rejected: this.rejected };
  }
}

function parseTxt(text: string, c: Collector) {
  text.split(/\r?\n/).forEach((l, i) => {
    const v = l.replace(/#.*$/, "").trim();
    if (v) c.add(v.split(/[\s,;]+/)[0], i + 1);
  });
}

function parseCsvText(file: string, text: string, c: Collector) {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(text, {
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
    }) as unknown as typeof records;
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    throw new InputError(`${file}${line ? `:${line}` : ""}: not valid CSV: ${(e as Error).message}`);
  }
  records.forEach(({ record, info }, i) => {
    const [address = "", category, note] = record;
    if (i === 0 && address.toLowerCase() === "address") return; // the header
    if (address.startsWith("#")) return;
    if (record.length > 3)
      throw new InputError(
        `${file}:${info.lines}: expected address,category,note but found ${record.length} fields: "${record.join(",").slice(0, 120)}"`,
      );
    c.add(address, info.lines, category, note);
  });
}

function lineAt(text: string, index: number) {
  return text.slice(0, Math.max(0, index)).split("\n").length;
}

function parseJsonText(file: string, text: string, c: Collector) {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    // Node 20 names a position for most errors, not for an unexpected first token or a cut-off end
    const m = /position (\d+)/.exec(msg);
    const token = /^Unexpected token '(.)'/.exec(msg);
    const start = text.search(/\S/);
    const line = m
      ? lineAt(text, Number(m[1]))
      : /end of JSON input/.test(msg)
        ? lineAt(text, text.trimEnd().length)
        : token && text[start] === token[1]
          ? lineAt(text, start)
          : undefined;
    throw new InputError(`${file}${line ? `:${line}` : ""}: not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(data)) throw new InputError(`${file}:1: expected a JSON array of addresses, found ${typeof data}`);
  let from = 0;
  data.forEach((item, i) => {
    const value = typeof item === "string" ? item : (item as { address?: unknown } | null)?.address;
    if (typeof value !== "string")
      throw new InputError(
        `${file}: element ${i}: expected an address string or {"address", "category", "note"}, found ${JSON.stringify(item)?.slice(0, 120)}`,
      );
    const at = text.indexOf(value, from);
    if (at >= 0) from = at + value.length;
    const o = typeof item === "string" ? {} : (item as { category?: unknown; note?: unknown });
    c.add(
      value,
      lineAt(text, at),
      typeof o.category === "string" ? o.category : null,
      typeof o.note === "string" ? o.note : null,
    );
  });
}

/** The feature types holding TRON-form addresses in SDN_ADVANCED.XML. */
const SDN_FEATURES = /^Digital Currency Address - (TRX|USDT)$/;

/**
 * SDN_ADVANCED.XML, streamed: the FeatureType ids named "Digital Currency Address - TRX/USDT" (reference values,
 * before the parties), then every Feature of those types: its VersionDetail text is the address. USDT addresses of
 * other chains are not TRON addresses and are skipped, not rejected.
 */
async function parseSdnXml(file: string, c: Collector): Promise<void> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const typeIds = new Map<string, string>();
  const path: string[] = [];
  let featureType: string | null = null; // inside a FeatureType element: its ID
  let featureTypeText = "";
  let feature: { ticker: string; line: number } | null = null;
  let detail: string | null = null;
  let partyId: string | null = null;
  let failure: Error | null = null;
  parser.on("opentag", (t) => {
    const name = t.name.replace(/^.*:/, "");
    path.push(name);
    const attr = (k: string) => {
      const v = t.attributes[k];
      return typeof v === "string" ? v : undefined;
    };
    if (name === "FeatureType" && path.includes("FeatureTypeValues")) {
      featureType = attr("ID") ?? null;
      featureTypeText = "";
    } else if (name === "DistinctParty") partyId = attr("FixedRef") ?? null;
    else if (name === "Feature") {
      const ticker = typeIds.get(attr("FeatureTypeID") ?? "");
      feature = ticker ? { ticker, line: parser.line } : null;
    } else if (name === "VersionDetail" && feature) detail = "";
  });
  parser.on("text", (text) => {
    if (featureType !== null) featureTypeText += text;
    if (detail !== null) detail += text;
  });
  parser.on("closetag", (t) => {
    const name = t.name.replace(/^.*:/, "");
    path.pop();
    if (name === "FeatureType" && featureType !== null) {
      const m = SDN_FEATURES.exec(featureTypeText.trim());
      if (m) typeIds.set(featureType, m[1]);
      featureType = null;
    } else if (name === "VersionDetail" && detail !== null && feature) {
      const value = detail.trim();
      // USDT features carry addresses of several chains: only the TRON form belongs here
      if (feature.ticker === "TRX" || /^T/.test(value))
        c.add(value, parser.line, null, `OFAC SDN ${feature.ticker}${partyId ? ` party ${partyId}` : ""}`);
      detail = null;
    } else if (name === "Feature") feature = null;
  });
  parser.on("error", (e) => {
    failure ??= e;
  });
  const stream = createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) {
      parser.write(chunk as string);
      if (failure) break;
    }
    if (!failure) parser.close();
  } catch (e) {
    failure ??= e as Error;
  } finally {
    stream.destroy();
  }
  if (failure) {
    // saxes says where: "line:column: what"
    const m = /^(\d+):(\d+): (.*)$/s.exec((failure as Error).message);
    const where = m ? `${m[1]}` : `${parser.line}`;
    throw new InputError(
      `${file}:${where}: not valid XML: ${m ? `column ${m[2]}: ${m[3]}` : (failure as Error).message}`,
    );
  }
  if (typeIds.size === 0)
    throw new InputError(
      `${file}: no FeatureType "Digital Currency Address - TRX" or "- USDT": not an SDN_ADVANCED.XML file`,
    );
}

/** Reads a list file; throws InputError (file, line, value) when it is not a list of its format. */
export async function readListFile(file: string, defaultCategory: string): Promise<ParsedList> {
  const c = new Collector(defaultCategory);
  let text: string | undefined;
  const ext = extname(file).toLowerCase();
  try {
    if (ext !== ".xml") text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
    else accessSync(file, constants.R_OK); // streamed below: the real file is ~100 MB
  } catch (e) {
    throw new InputError(`${file}: cannot read the list file: ${(e as Error).message}`);
  }
  const format = formatOf(file, text);
  if (format === "sdn-xml") await parseSdnXml(file, c);
  else if (format === "csv") parseCsvText(file, text ?? "", c);
  else if (format === "json") parseJsonText(file, text ?? "", c);
  else parseTxt(text ?? "", c);
  return c.result(format);
}
