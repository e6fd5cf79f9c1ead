// SQL as values: a tagged template that keeps text and parameters together. A value interpolated into
// sql`...` becomes a `?` parameter where it appears; an interpolated Sql fragment brings its own text and
// parameters (so a fragment used twice binds its values twice, in order). `raw` is for trusted text only:
// identifiers and the dialect's spellings, never a value. `labelled` names a query for logs, metrics, errors.
const SQL = Symbol("sql");

export type Sql = {
  readonly [SQL]: true;
  readonly text: string;
  readonly params: readonly unknown[];
  readonly label?: string;
};

const make = (text: string, params: readonly unknown[], label?: string): Sql => ({ [SQL]: true, text, params, label });

export const isSql = (v: unknown): v is Sql => typeof v === "object" && v !== null && SQL in v;

export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  let text = strings[0];
  const params: unknown[] = [];
  values.forEach((v, i) => {
    if (isSql(v)) {
      text += v.text;
      params.push(...v.params);
    } else {
      text += "?";
      params.push(v);
    }
    text += strings[i + 1];
  });
  return make(text, params);
}

/**
 * A statement the dialect wrote with `?` placeholders (an upsert, an insert-if-missing), with its values in order.
 * The text is trusted like `raw`; the count of `?` placeholders must match the values (numbered ones, `?1`, may
 * repeat).
 */
export function prepared(text: string, params: readonly unknown[]): Sql {
  const marks = text.split("?").length - 1;
  const numbered = /\?\d/.test(text); // ?1, ?2: a value may be used more than once
  if (!numbered && marks !== params.length)
    throw new Error(`prepared: ${marks} placeholders for ${params.length} values`);
  return make(text, params);
}

/** Trusted SQL text (an identifier, a dialect expression): inlined as it is. */
export const raw = (text: string): Sql => make(text, []);

export const empty = raw("");

/** Fragments joined by a separator. */
export function join(parts: readonly Sql[], separator = ", "): Sql {
  return make(
    parts.map((p) => p.text).join(separator),
    parts.flatMap((p) => p.params),
  );
}

/** `?, ?, ?` for the values (an IN list); never empty: callers test for an empty list first. */
export const list = (values: readonly unknown[]): Sql => join(values.map((v) => sql`${v}`));

/** A query with a name, the only kind the warehouse runs: logs, metrics and errors say which one it was. */
export type Labelled = Sql & { readonly label: string };

export const labelled = (label: string, q: Sql): Labelled => make(q.text, q.params, label) as Labelled;

/** The conjunction of conditions (TRUE when there are none). */
export const and = (conds: readonly Sql[]): Sql => (conds.length ? join(conds, " AND ") : raw("TRUE"));

/** A dialect spelling applied to a bound value (`d.msToTimestamp` of a time in ms, say). */
export function spelled(spell: (ref: string) => string, value: unknown): Sql {
  const text = spell("?");
  if (text.split("?").length !== 2) throw new Error(`spelled: ${text} must use its argument once`);
  return make(text, [value]);
}
