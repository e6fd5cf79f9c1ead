// Rows read but not yet committed, by timestamp and row key, with their multiplicity: two identical rows of one
// transaction (TRC20 twins) are one key seen twice in one answer. An answer never lowers what is held.
export type Row = { key: string; ts: number; record: unknown };
export type Held = { record: unknown; mult: number };

export class HeldRows {
  private readonly byTs = new Map<number, Map<string, Held>>();

  /** Adds the rows of one answer that lie in (lo, hi]; returns how many rows are new. */
  absorb(rows: readonly Row[], lo: number, hi: number): number {
    const perKey = new Map<string, Row & { n: number }>();
    for (const r of rows) {
      if (r.ts <= lo || r.ts > hi) continue;
      const p = perKey.get(r.key);
      if (p) p.n++;
      else perKey.set(r.key, { ...r, n: 1 });
    }
    let added = 0;
    for (const r of perKey.values()) {
      let g = this.byTs.get(r.ts);
      if (!g) this.byTs.set(r.ts, (g = new Map()));
      const h = g.get(r.key);
      if (!h) {
        g.set(r.key, { record: r.record, mult: r.n });
        added += r.n;
      } else if (r.n > h.mult) {
        added += r.n - h.mult;
        h.mult = r.n;
      }
    }
    return added;
  }

  /** Rows held in (lo, hi], twins counted. */
  count(lo: number, hi: number): number {
    let n = 0;
    for (const [ts, g] of this.byTs) if (ts > lo && ts <= hi) for (const h of g.values()) n += h.mult;
    return n;
  }

  /** The held rows in (lo, hi] (to raise a multiplicity in place). */
  *within(lo: number, hi: number): Generator<Held> {
    for (const [ts, g] of this.byTs) if (ts > lo && ts <= hi) yield* g.values();
  }

  /** Removes and returns the timestamps above `lo`, newest first, each with its records (twins repeated). */
  takeAbove(lo: number): { ts: number; records: unknown[] }[] {
    const stamps = [...this.byTs.keys()].filter((ts) => ts > lo).sort((a, b) => b - a);
    return stamps.map((ts) => {
      const records: unknown[] = [];
      for (const h of this.byTs.get(ts)!.values()) for (let i = 0; i < h.mult; i++) records.push(h.record);
      this.byTs.delete(ts);
      return { ts, records };
    });
  }
}
