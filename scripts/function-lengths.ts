// Lists the functions of src/ longer than a given number of lines (default 80), longest first:
// `npx tsx scripts/function-lengths.ts [min-lines]`. test/layers.test.ts holds src/ to 100.
import { longFunctions } from "../test/code-shape.ts";

const min = Number(process.argv[2] ?? 80);
const found = longFunctions("src", min);
for (const f of found) console.log(`${String(f.lines).padStart(4)}  ${f.file}:${f.line}  ${f.name}`);
console.log(`${found.length} functions over ${min} lines`);
