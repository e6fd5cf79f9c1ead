// The layer rules of docs/ARCHITECTURE.md as a test over the TypeScript import graph of src/: which folder may
// import which, no cycle between files or folders, engine packages only in their drivers, SQL only where the
// document says, normalize pure, every error class in the error tree, no function a reader must scroll.
// LAYERS_ROOT=<dir> checks another tree (the rules as they stood before issue 23 failed on it: see the note).
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { imports, longFunctions, sourceFiles } from "./code-shape.ts";

const ROOT = process.env.LAYERS_ROOT ?? path.join(import.meta.dirname, "..", "src");

/** Bottom to top: a folder may import its own and those listed for it, never one above it. */
const MAY_IMPORT: Record<string, string[]> = {
  internal: [],
  model: [],
  config: ["internal", "model"],
  normalize: ["internal", "model"],
  source: ["internal", "model"],
  warehouse: ["internal", "model", "config"],
  export: ["internal", "model", "warehouse"],
  rules: ["internal", "model", "config", "warehouse", "export"],
  anomalies: ["internal", "model", "config", "warehouse", "export"],
  risk: ["internal", "model", "config", "warehouse", "export", "anomalies"],
  health: ["internal", "model", "config", "warehouse", "rules"],
  triage: ["internal", "model", "config", "warehouse", "rules", "anomalies"],
  notify: ["internal", "model", "config", "warehouse", "export", "rules", "anomalies"],
  reports: ["internal", "model", "config", "warehouse", "health", "notify"],
  pipeline: [
    "internal",
    "model",
    "config",
    "normalize",
    "source",
    "warehouse",
    "rules",
    "anomalies",
    "risk",
    "health",
    "notify",
  ],
  dashboard: ["internal", "model", "config", "warehouse", "export", "rules", "anomalies", "risk", "reports", "triage"],
  service: [
    "internal",
    "model",
    "config",
    "source",
    "warehouse",
    "health",
    "notify",
    "reports",
    "pipeline",
    "dashboard",
  ],
  emulator: ["internal", "model", "normalize"],
  cli: [
    "internal",
    "model",
    "config",
    "normalize",
    "source",
    "warehouse",
    "export",
    "rules",
    "anomalies",
    "risk",
    "health",
    "notify",
    "reports",
    "triage",
    "pipeline",
    "dashboard",
    "service",
    "emulator",
  ],
};

/** Where SQL may be written: importers of the sql tag (warehouse/sql.ts). */
const SQL_HOMES = [
  "warehouse/",
  "export/",
  "rules/",
  "anomalies/",
  "risk/",
  "health/",
  "reports/",
  "dashboard/queries.ts",
  "dashboard/rolled.ts",
  "dashboard/risk-queries.ts",
  "dashboard/desk-queries.ts",
];

const imported = imports(ROOT);
const graph = new Map([...imported].map(([f, i]) => [f, i.files]));
const folderOf = (file: string) => (file.includes(path.sep) ? file.split(path.sep)[0] : "(root)");
const appFiles = [...graph.keys()].filter((f) => !f.startsWith(path.join("dashboard", "public")));

/** Strongly connected components with more than one member (Tarjan). */
function cycles(nodes: string[], edges: (n: string) => string[]): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges(v)) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const n of nodes) if (!idx.has(n)) visit(n);
  return out;
}

const importsOf = (file: string) => (graph.get(file) ?? []).filter((t) => graph.has(t));

describe("layer rules (docs/ARCHITECTURE.md)", () => {
  it("every folder imports only the layers below it", () => {
    const broken: string[] = [];
    for (const file of appFiles) {
      const from = folderOf(file);
      const allowed = MAY_IMPORT[from];
      if (!allowed) {
        broken.push(`${file}: folder ${from} has no place in the layer table`);
        continue;
      }
      for (const target of importsOf(file)) {
        const to = folderOf(target);
        if (to !== from && !allowed.includes(to)) broken.push(`${file} -> ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("warehouse/activity (the watched wallets' activity model) depends only on warehouse/ and model/", () => {
    const activity = path.join("warehouse", "activity");
    const broken = appFiles
      .filter((f) => f.startsWith(activity))
      .flatMap((f) =>
        importsOf(f)
          .filter((t) => !["warehouse", "model"].includes(folderOf(t)))
          .map((t) => `${f} -> ${t}`),
      );
    expect(broken).toEqual([]);
  });

  it("no cycle between files, none between folders", () => {
    expect(cycles([...graph.keys()], importsOf)).toEqual([]);
    const folders = [...new Set(appFiles.map(folderOf))];
    const folderEdges = (f: string) => [
      ...new Set(
        appFiles
          .filter((x) => folderOf(x) === f)
          .flatMap(importsOf)
          .map(folderOf)
          .filter((t) => t !== f),
      ),
    ];
    expect(cycles(folders, folderEdges)).toEqual([]);
  });

  it("SQL is written only in its homes; the CLI and the pipeline compose, they do not write SQL", () => {
    const tag = path.join("warehouse", "sql.ts");
    const homes = SQL_HOMES.map((h) => h.split("/").join(path.sep));
    const writers = appFiles.filter((f) => importsOf(f).includes(tag));
    expect(writers.filter((f) => !homes.some((h) => f.startsWith(h)))).toEqual([]);
  });

  it("engine packages are imported by their drivers only; normalize and model touch no I/O", () => {
    const broken: string[] = [];
    for (const [rel, { packages }] of imported) {
      const text = fs.readFileSync(path.join(ROOT, rel), "utf8");
      for (const p of packages) {
        if (p === "@duckdb/node-api" && !rel.startsWith(path.join("warehouse", "duckdb"))) broken.push(`${rel}: ${p}`);
        if (p === "snowflake-sdk" && !rel.startsWith(path.join("warehouse", "snowflake"))) broken.push(`${rel}: ${p}`);
        const pure = ["normalize", "model"].includes(folderOf(rel));
        if (pure && /^(node:)?(fs|net|http|https|child_process|fs\/promises)$/.test(p)) broken.push(`${rel}: ${p}`);
      }
      if (["normalize", "model"].includes(folderOf(rel)) && /Date\.now\(|new Date\(\)|\bfetch\(/.test(text))
        broken.push(`${rel}: reads the clock or the network`);
    }
    expect(broken).toEqual([]);
  });

  it("every error class is in the error tree (internal/errors.ts BaseError), so errors decide by class", () => {
    const outside: string[] = [];
    for (const file of sourceFiles(ROOT)) {
      const sf = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
      const visit = (node: ts.Node) => {
        if (ts.isClassDeclaration(node) && node.heritageClauses) {
          const base = node.heritageClauses.flatMap((h) => h.types.map((t) => t.expression.getText(sf)));
          if (base.some((b) => /^(Error|TypeError|RangeError|SyntaxError)$/.test(b)) && node.name?.text !== "BaseError")
            outside.push(`${path.relative(ROOT, file)}: ${node.name?.text}`);
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    expect(outside).toEqual([]);
  });

  it("no function in src/ over 100 lines (scripts/function-lengths.ts lists the longest)", () => {
    const long = longFunctions(ROOT, 100);
    expect(long.map((f) => `${f.file}:${f.line} ${f.name} (${f.lines} lines)`)).toEqual([]);
  });
});
