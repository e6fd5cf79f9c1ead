// `tronmon check --connect` on Snowflake: what the configured role may do, in plain words, with the GRANT
// that would fix each gap. Grants are read with SHOW GRANTS, following roles granted to the role.
import type { Exec } from "./driver.ts";

export type Need = {
  privilege: string;
  on: "WAREHOUSE" | "DATABASE" | "SCHEMA" | "ACCOUNT";
  name: string;
  why: string;
  optional?: boolean;
};

export function needs(s: { warehouse: string; database: string; schema: string }): Need[] {
  const schema = `${s.database}.${s.schema}`;
  return [
    { privilege: "USAGE", on: "WAREHOUSE", name: s.warehouse, why: "run any query" },
    { privilege: "USAGE", on: "DATABASE", name: s.database, why: "see the schema" },
    { privilege: "USAGE", on: "SCHEMA", name: schema, why: "read and write the tables" },
    { privilege: "CREATE TABLE", on: "SCHEMA", name: schema, why: "create the tables (migrations)" },
    { privilege: "CREATE VIEW", on: "SCHEMA", name: schema, why: "create the views (migrations)" },
    {
      privilege: "CREATE PROCEDURE",
      on: "SCHEMA",
      name: schema,
      why: "deploy the in-warehouse procedures",
      optional: true,
    },
    { privilege: "CREATE TASK", on: "SCHEMA", name: schema, why: "deploy the in-warehouse tasks", optional: true },
    { privilege: "EXECUTE MANAGED TASK", on: "ACCOUNT", name: "", why: "run the serverless tasks", optional: true },
  ];
}

type Grant = { privilege: string; granted_on: string; name: string };
const norm = (v: unknown) =>
  String(v ?? "")
    .replace(/"/g, "")
    .toUpperCase();

/** The role's grants and those of every role granted to it. */
export async function grantsOf(exec: Exec, role: string): Promise<Grant[]> {
  const seen = new Set<string>();
  const out: Grant[] = [];
  const queue = [norm(role)];
  while (queue.length) {
    const r = queue.shift()!;
    if (seen.has(r)) continue;
    seen.add(r);
    for (const row of await exec(`SHOW GRANTS TO ROLE "${r.replace(/"/g, "")}"`)) {
      const g = {
        privilege: norm(row.privilege ?? row.PRIVILEGE),
        granted_on: norm(row.granted_on ?? row.GRANTED_ON),
        name: norm(row.name ?? row.NAME),
      };
      out.push(g);
      if (g.granted_on === "ROLE" && g.privilege === "USAGE") queue.push(g.name);
    }
  }
  return out;
}

/** Problems, one sentence each; optional ones only when `deploy` (the in-warehouse automation) is wanted. */
export function missing(
  grants: Grant[],
  role: string,
  s: { warehouse: string; database: string; schema: string },
): { need: Need; sentence: string }[] {
  const has = (n: Need) =>
    grants.some(
      (g) =>
        g.granted_on === n.on &&
        (n.on === "ACCOUNT" || g.name === norm(n.name)) &&
        (g.privilege === n.privilege || g.privilege === "OWNERSHIP"),
    );
  return needs(s)
    .filter((n) => !has(n))
    .map((n) => ({
      need: n,
      sentence: `${n.optional ? "(only for `snowflake deploy`) " : ""}The role ${norm(role)} cannot ${n.why}: it lacks ${n.privilege} on ${n.on.toLowerCase()}${n.name ? ` ${norm(n.name)}` : ""}. Fix: GRANT ${n.privilege} ON ${n.on}${n.name ? ` ${norm(n.name)}` : ""} TO ROLE ${norm(role)};`,
    }));
}

/** The session's role, warehouse, database, schema and Snowflake version. */
export async function whoAmI(exec: (sql: string) => Promise<Record<string, unknown>[]>) {
  const [who] = await exec(
    "SELECT CURRENT_ROLE() AS R, CURRENT_WAREHOUSE() AS W, CURRENT_DATABASE() AS D, CURRENT_SCHEMA() AS S, CURRENT_VERSION() AS V",
  );
  return who as Record<"R" | "W" | "D" | "S" | "V", string | null> | undefined;
}
