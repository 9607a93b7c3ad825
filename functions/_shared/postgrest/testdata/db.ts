// Helpers for the tests that run planned SQL against the local tenant databases.
import postgres from "postgres";
import type { SqlQuery } from "../sql/sql_query.ts";

/** The tenants of the shared database (seed ids). */
export const GLOBEX = "a0000000-0000-4000-8000-000000000002";
export const INITECH = "a0000000-0000-4000-8000-000000000003";
export const ACME = "a0000000-0000-4000-8000-000000000001";

/** The shared tenant database's URL, or undefined when the tests run without a database. */
export const SHARED_DB_URL: string | undefined = Deno.env.get("TENANT_SHARED_DB_URL") || undefined;
/** The dedicated (acme) tenant database's URL. */
export const ACME_DB_URL: string | undefined = Deno.env.get("TENANT_ACME_DB_URL") || undefined;

/** The result row of a statement. */
export interface ResultRow {
  page_total: number;
  total_count: string | null;
  body: string | null;
}

const ROLLBACK = new Error("rollback");

/** Runs `fn` in a transaction that is rolled back whatever happens, and returns what `fn` returned. */
export async function inRollback<T>(
  sql: postgres.Sql,
  fn: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  let result: { value: T } | null = null;
  try {
    await sql.begin(async (tx) => {
      result = { value: await fn(tx) };
      throw ROLLBACK;
    });
  } catch (err) {
    if (err !== ROLLBACK) throw err;
  }
  if (result === null) throw new Error("The transaction ended without a result");
  return (result as { value: T }).value;
}

/**
 * Runs `fn` in a transaction as an authenticated user of `tenantId` with `role` (claims as the gateway sets
 * them), then rolls it back, whatever happened.
 */
export function asTenant<T>(
  sql: postgres.Sql,
  tenantId: string,
  fn: (tx: postgres.TransactionSql) => Promise<T>,
  role = "owner",
): Promise<T> {
  return inRollback(sql, async (tx) => {
    const claims = JSON.stringify({
      sub: "b0000000-0000-4000-8000-0000000000aa",
      role: "authenticated",
      tenant_id: tenantId,
      tenant_role: role,
    });
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
    return fn(tx);
  });
}

/** Runs the statement of `query` and returns its one row. */
export async function run(tx: postgres.TransactionSql, query: SqlQuery): Promise<ResultRow> {
  const rows = await tx.unsafe<ResultRow[]>(query.statement.text, [...query.statement.params] as never[]);
  if (rows.length !== 1 || rows[0] === undefined) throw new Error(`expected one row, got ${rows.length}`);
  return rows[0];
}

/** Opens a small pool to `url`. */
export function connect(url: string): postgres.Sql {
  return postgres(url, { max: 2, onnotice: () => {} });
}

/** Runs `fn` with a one-connection pool to `url`, closed afterwards. */
export async function withDb<T>(url: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
