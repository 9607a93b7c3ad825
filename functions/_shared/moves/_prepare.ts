// Internal: what starting a move (or planning one) checks and opens: the tenant, both data sources, both
// databases, the tables in foreign-key order and the schema check.
import type postgres from "postgres";
import type { Keyring } from "../crypto/mod.ts";
import { canReplicate, closeSide, openSide, type Side } from "./_databases.ts";
import { type DataSourceRow, readDataSource, readTenant, type TenantRow } from "./_store.ts";
import { checkSchemas } from "./check_schemas.ts";
import { MoveError } from "./errors.ts";
import { type MoveTable, planTables } from "./plan_tables.ts";

/** A checked, connected move that has not started. */
export interface PreparedMove {
  tenant: TenantRow;
  source: Side;
  target: Side;
  /** What `tenants.data_source_id` becomes at the switch: `null` for the default data source. */
  targetRoute: string | null;
  tables: MoveTable[];
}

/** Options of {@linkcode prepareMove}. */
export interface PrepareMoveOptions {
  keyring: Keyring;
  /** Tenant id or slug. */
  tenant: string;
  /** Data source name or id, or `default`. */
  to: string;
  /** Connections per side. */
  max: number;
}

/**
 * Resolves and checks everything a move needs; the caller closes both sides.
 *
 * @throws {MoveError} `not_found`, `conflict` (same database, a data source taking no tenants),
 * `unsupported`, `unavailable`, `schema_mismatch`.
 */
export async function prepareMove(sql: postgres.Sql, options: PrepareMoveOptions): Promise<PreparedMove> {
  const tenant = await readTenant(sql, options.tenant);
  const sourceRow = await readDataSource(sql, tenant.data_source_id);
  const targetRow = await readDataSource(sql, options.to === "default" ? null : options.to);
  if (sourceRow.id === targetRow.id) {
    throw new MoveError(
      "conflict",
      `Tenant "${tenant.slug}" already lives in data source "${targetRow.name}"`,
    );
  }
  if (targetRow.status !== "active") {
    throw new MoveError(
      "conflict",
      `Data source "${targetRow.name}" is ${targetRow.status} and takes no new tenants`,
    );
  }
  const source = await openSide(sourceRow, { keyring: options.keyring, max: options.max });
  let target: Side | undefined;
  try {
    target = await openSide(targetRow, { keyring: options.keyring, max: options.max });
    const tables = planTables(source.catalog);
    if (tables.length === 0) {
      throw new MoveError("unsupported", `Data source "${sourceRow.name}" has no tenant tables to move`);
    }
    checkSchemas(side(sourceRow, source), side(targetRow, target), tables);
    if (!await canReplicate(target.sql)) {
      throw new MoveError(
        "unsupported",
        `The connection to "${targetRow.name}" may not set session_replication_role: moves copy rows as they are, without triggers`,
        { hint: "Register the data source with a role that may (a superuser, or one granted SET on it)" },
      );
    }
    return {
      tenant,
      source,
      target,
      targetRoute: options.to === "default" ? null : targetRow.id,
      tables,
    };
  } catch (error) {
    await closeSide(source, 1);
    await closeSide(target, 1);
    throw error;
  }
}

function side(row: DataSourceRow, opened: Side) {
  return { name: row.name, version: opened.version, catalog: opened.catalog };
}
