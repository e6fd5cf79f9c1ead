// Reads the shape of the source tree with TypeScript's own parser: the import graph (file -> file) and
// the packages each file imports, and the length of every function. Used by test/layers.test.ts and scripts/function-lengths.ts.
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

export function sourceFiles(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((f) => /\.(ts|js)$/.test(f))
    .map((f) => path.join(root, f))
    .sort();
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
}

/**
 * Every import or re-export of each file (path relative to `root`): relative ones resolved to a path relative to
 * `root` (`files`), the others as written (`packages`).
 */
export function imports(root: string): Map<string, { files: string[]; packages: string[] }> {
  const graph = new Map<string, { files: string[]; packages: string[] }>();
  for (const file of sourceFiles(root)) {
    const targets: string[] = [];
    const packages: string[] = [];
    const visit = (node: ts.Node) => {
      const spec =
        (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier
          ? node.moduleSpecifier
          : ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword
            ? node.arguments[0]
            : undefined;
      if (spec && ts.isStringLiteral(spec)) {
        if (spec.text.startsWith(".")) targets.push(path.relative(root, path.join(path.dirname(file), spec.text)));
        else packages.push(spec.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(parse(file));
    graph.set(path.relative(root, file), { files: targets, packages });
  }
  return graph;
}

export interface LongFunction {
  file: string;
  line: number;
  name: string;
  lines: number;
}

function nameOf(node: ts.Node): string {
  const named = node as { name?: ts.Node };
  if (named.name && ts.isIdentifier(named.name)) return named.name.text;
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return "(anonymous)";
}

/** Functions (declarations, expressions, arrows, methods) of more than `min` lines, longest first. */
export function longFunctions(root: string, min: number): LongFunction[] {
  const out: LongFunction[] = [];
  for (const file of sourceFiles(root)) {
    const sf = parse(file);
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && "body" in node && node.body) {
        const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
        const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
        const lines = end - start + 1;
        if (lines > min) out.push({ file: path.relative(root, file), line: start + 1, name: nameOf(node), lines });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return out.sort((a, b) => b.lines - a.lines);
}
