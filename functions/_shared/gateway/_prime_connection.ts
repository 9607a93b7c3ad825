/**
 * Primes a new connection's server process for the tenant schema: a fresh PostgreSQL backend reads the
 * tables', indexes' and RLS policies' definitions from the system catalogs on their first use (10–25 ms
 * of server CPU for a first read, measured on the scale bench's databases), which the first requests on
 * that connection would otherwise pay, all at once when an instance starts under load.
 *
 * @module
 */
import type postgres from "postgres";
import type { Catalog } from "../catalog/mod.ts";
import { sqlLiteral } from "../postgrest/mod.ts";
import { prepareRequestSettings } from "./execute.ts";

/** The most tables primed per connection: the tenant schema's tables and views, not an unbounded list. */
const MAX_TABLES = 50;

/**
 * As `authenticated` with the claims of nobody: the policies are planned, no row is read (every statement
 * has `limit 0`). A literal, so it goes as a simple query, on a transaction-mode pooler too.
 */
const AS_NOBODY = `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${
  sqlLiteral(JSON.stringify({
    role: "authenticated",
    sub: "00000000-0000-0000-0000-000000000000",
    tenant_id: "00000000-0000-0000-0000-000000000000",
    tenant_role: "viewer",
  }))
}, true)`;

/**
 * Plans a read of each table and view of the snapshot (at most 50) as `authenticated` with the claims of
 * nobody, in one read-only transaction that is rolled back, pipelined in one round trip. `limit 0`: the
 * statements are planned (definitions and policies loaded into the backend's caches) but read nothing.
 * Then, on a pool that prepares (`prepared`, not a transaction-mode pooler's), prepares the statements
 * that set a request's claims (`execute.ts`), so the first request on the connection does not wait for
 * their parameter types.
 *
 * @example
 * ```ts
 * const connection = await sql.reserve();
 * try { await primeConnection(connection, catalog, { prepared: true }); } finally { connection.release(); }
 * ```
 */
export async function primeConnection(
  connection: postgres.ReservedSql,
  catalog: Catalog,
  options: { prepared: boolean },
): Promise<void> {
  const tables = catalog.tables.slice(0, MAX_TABLES);
  const queries = [
    connection.unsafe("begin read only"),
    connection.unsafe(AS_NOBODY),
    // Not prepared (unsafe): these statements are not worth a prepared statement on every connection.
    ...tables.map((table) =>
      connection.unsafe(
        `select from ${quoteIdentifier(catalog.schema)}.${quoteIdentifier(table.name)} limit 0`,
      )
    ),
    connection.unsafe("rollback"),
  ];
  const settled = await Promise.allSettled(queries);
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed) {
    await connection.unsafe("rollback").catch(() => {});
    throw failed.reason;
  }
  if (options.prepared) await prepareRequestSettings(connection);
}

/** A PostgreSQL identifier, quoted: `"contacts"`, `"odd""name"`. */
function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
