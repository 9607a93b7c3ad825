/**
 * Changing a data source's pool size or status.
 *
 * @module
 */
import type { Keyring } from "../crypto/mod.ts";
import type { Queryable } from "../data_sources/mod.ts";
import { mapDatabaseError } from "./database_error.ts";
import { findDataSource } from "./find_data_source.ts";
import { type DataSourceView, getDataSource } from "./list_data_sources.ts";

/** Options of {@linkcode updateDataSource}. */
export interface UpdateDataSourceOptions {
  keyring: Keyring;
  /** The data source's name or id. */
  ref: string;
  pool_max?: number | undefined;
  /** `active`; `draining`: serves its tenants, takes no new ones; `disabled`: serves nobody. */
  status?: "active" | "draining" | "disabled" | undefined;
  /** PostgREST's `db-aggregates-enabled` and `db-plan-enabled`, `postgres` data sources only. */
  aggregates_enabled?: boolean | undefined;
  plan_enabled?: boolean | undefined;
}

/**
 * Updates pool size, status and/or the PostgREST settings (aggregates, EXPLAIN plans).
 *
 * @throws {AdminError} `TR622` when the data source does not exist, `TR633` when the default one would
 * be disabled.
 */
export async function updateDataSource(
  tx: Queryable,
  options: UpdateDataSourceOptions,
): Promise<DataSourceView> {
  const row = await findDataSource(tx, options.ref, { forUpdate: true });
  try {
    await tx`
      update private.data_sources
      set pool_max = coalesce(${options.pool_max ?? null}::int, pool_max),
          status = coalesce(${options.status ?? null}::text, status),
          aggregates_enabled = coalesce(${options.aggregates_enabled ?? null}::boolean, aggregates_enabled),
          plan_enabled = coalesce(${options.plan_enabled ?? null}::boolean, plan_enabled)
      where id = ${row.id}`;
  } catch (error) {
    throw mapDatabaseError(error) ?? error;
  }
  return await getDataSource(tx, { keyring: options.keyring, ref: row.id });
}
