// Tests and benchmarks query the warehouse with text of their own: `stmt` makes it the labelled statement the
// warehouse takes (Warehouse.query runs labelled Sql values only), `?` placeholders bound to `params` in order.
import { isSql, type Labelled, labelled, prepared, type Sql } from "../src/warehouse/sql.ts";

export const stmt = (q: string | Sql, params: readonly unknown[] = []): Labelled =>
  labelled("test", isSql(q) ? q : prepared(q, params));
