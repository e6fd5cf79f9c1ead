// The bench's closing report: every figure beside its aim (issue 15), the ratio to the aim, and how cost grows
// from 1M to 10M where both sizes were measured. Printed, never asserted.
type Row = { figure: string; aim: string; measured: string; ratio: string };
const rows: Row[] = [];
const costs = new Map<string, Map<number, number>>();

/**
 * One figure. `lowerIsBetter`: measured/aim (≤ 1 meets the aim); otherwise aim/measured (≤ 1 meets it), so the
 * ratio always reads "times the aim's cost".
 */
export function figure(f: {
  figure: string;
  aim: string;
  aimValue: number;
  measured: number;
  unit: string;
  lowerIsBetter: boolean;
  digits?: number;
}) {
  const ratio = f.lowerIsBetter ? f.measured / f.aimValue : f.aimValue / f.measured;
  rows.push({
    figure: f.figure,
    aim: f.aim,
    measured: `${f.measured.toLocaleString("en-US", { maximumFractionDigits: f.digits ?? 0 })} ${f.unit}`,
    ratio: `${ratio.toFixed(2)}× ${ratio <= 1 ? "met" : "over"}`,
  });
}

/** A cost measured at a size, for the growth column (e.g. "rules, next cycle" at 1M and 10M). */
export function cost(name: string, size: number, ms: number) {
  if (!costs.has(name)) costs.set(name, new Map());
  costs.get(name)!.set(size, ms);
}

export function printReport() {
  if (!rows.length) return;
  const cols = ["figure", "aim", "measured", "ratio"] as const;
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(c.length, ...rows.map((r) => r[c].length))]));
  const line = (r: Record<string, string>) => `  ${cols.map((c) => r[c].padEnd(width[c])).join(" │ ")}`;
  console.log("\n== Report (aims from issues 15 and 16; ratio = cost relative to the aim, ≤ 1 meets it)");
  console.log(line(Object.fromEntries(cols.map((c) => [c, c]))));
  console.log(`  ${cols.map((c) => "─".repeat(width[c])).join("─┼─")}`);
  for (const r of rows) console.log(line(r));
  const growth = [...costs].filter(([, by]) => by.size > 1);
  if (growth.length) {
    console.log("\n  growth with size (cost at the larger size / cost at the smaller; 10 = linear in a 10× size):");
    for (const [name, by] of growth) {
      const sizes = [...by.keys()].sort((a, b) => a - b);
      const [lo, hi] = [sizes[0], sizes[sizes.length - 1]];
      const g = by.get(hi)! / by.get(lo)!;
      console.log(
        `    ${name}: ${fmtSize(lo)} ${by.get(lo)!.toFixed(0)} ms → ${fmtSize(hi)} ${by.get(hi)!.toFixed(0)} ms: ×${g.toFixed(1)} for ×${(hi / lo).toFixed(0)} the rows`,
      );
    }
  }
}

const fmtSize = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);
