/**
 * One data source row by name, id or `default`, with its sealed credentials (never shown: the views
 * of {@linkcode maskDataSource} are what leaves the process).
 *
 * @module
 */
import type { Queryable } from "../data_sources/mod.ts";
import { AdminError } from "./admin_error.ts";
import { isUuid } from "./_tenant_query.ts";

/** A `private.data_sources` row as stored: secret columns included. Never serialise it. */
export interface DataSourceRow {
  id: string;
  name: string;
  kind: "postgres" | "supabase";
  is_default: boolean;
  host: string | null;
  port: number | null;
  database_name: string | null;
  project_ref: string | null;
  secret_ciphertext: Uint8Array;
  secret_nonce: Uint8Array;
  secret_key_id: string;
  pool_max: number;
  aggregates_enabled: boolean;
  plan_enabled: boolean;
  status: "active" | "draining" | "disabled";
  schema_version: string | null;
  created_at: Date;
  updated_at: Date;
}

/** Options of {@linkcode findDataSource}. */
export interface FindDataSourceOptions {
  /** Lock the row (`for update`) until the transaction ends. */
  forUpdate?: boolean | undefined;
}

const NAME = /^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$/;

/**
 * Returns the data source named `ref`, with id `ref`, or the default one for `"default"`.
 *
 * @throws {AdminError} `TR622` when there is none.
 *
 * @example
 * ```ts
 * const row = await findDataSource(tx, "tenant_acme", { forUpdate: true });
 * ```
 */
export async function findDataSource(
  tx: Queryable,
  ref: string,
  options: FindDataSourceOptions = {},
): Promise<DataSourceRow> {
  const byId = isUuid(ref);
  if (!byId && !NAME.test(ref)) throw notFound(ref);
  const lock = options.forUpdate ? tx`for update` : tx``;
  const [row] = ref === "default"
    ? await tx<DataSourceRow[]>`select * from private.data_sources where is_default ${lock}`
    : byId
    ? await tx<DataSourceRow[]>`select * from private.data_sources where id = ${ref.toLowerCase()} ${lock}`
    : await tx<DataSourceRow[]>`select * from private.data_sources where name = ${ref} ${lock}`;
  if (row === undefined) throw notFound(ref);
  return row;
}

function notFound(ref: string): AdminError {
  return ref === "default"
    ? new AdminError("TR622", "No default data source is registered")
    : new AdminError("TR622", "Data source not found", { hint: "Give the data source's name or id" });
}
