/**
 * Registering a data source with its credentials sealed before they reach the database.
 *
 * @module
 */
import type { Keyring } from "../crypto/mod.ts";
import { type Queryable, registerDataSource } from "../data_sources/mod.ts";
import { AdminError } from "./admin_error.ts";
import { mapDatabaseError } from "./database_error.ts";
import type { RegisterDataSourceInput } from "./schemas.ts";
import { type DataSourceView, getDataSource } from "./list_data_sources.ts";

/** Options of {@linkcode addDataSource}. */
export interface AddDataSourceOptions {
  keyring: Keyring;
  /** The validated request: name, kind, credentials, pool_max, is_default. */
  input: RegisterDataSourceInput;
}

/**
 * Registers a data source (validated with {@linkcode RegisterDataSourceBody}); the credentials are
 * sealed under the keyring's active key, bound to the new row, and the masked view is returned.
 *
 * @throws {AdminError} `TR630` when the name is taken, `TR633` when `is_default` is asked and another
 * data source is the default, `TR634` when the active key is not the registry's active key.
 *
 * @example
 * ```ts
 * await withClaims(sql, claims, (tx) =>
 *   addDataSource(tx, { keyring, input: { name: "eu_1", kind: "postgres", credentials: { url } } }));
 * ```
 */
export async function addDataSource(tx: Queryable, options: AddDataSourceOptions): Promise<DataSourceView> {
  const { keyring, input } = options;
  let id: string;
  try {
    ({ id } = await registerDataSource(tx, keyring, {
      name: input.name,
      ...(input.kind === "postgres"
        ? { kind: "postgres", credentials: input.credentials }
        : { kind: "supabase", credentials: withoutUndefined(input.credentials) }),
      ...(input.pool_max === undefined ? {} : { poolMax: input.pool_max }),
      ...(input.is_default === undefined ? {} : { isDefault: input.is_default }),
      ...(input.kind === "postgres"
        ? { postgrest: { aggregates: input.aggregates_enabled ?? false, plan: input.plan_enabled ?? false } }
        : {}),
    }));
  } catch (error) {
    const mapped = mapDatabaseError(error);
    if (mapped?.code === "TR630") throw new AdminError("TR630", `Data source "${input.name}" already exists`);
    throw mapped ?? error;
  }
  return await getDataSource(tx, { keyring, ref: id });
}

function withoutUndefined(
  credentials: {
    url: string;
    anon_key: string;
    service_key: string;
    jwt_secret?: string | undefined;
    db_url?: string | undefined;
  },
): { url: string; anon_key: string; service_key: string; jwt_secret?: string; db_url?: string } {
  const { jwt_secret, db_url, ...rest } = credentials;
  return {
    ...rest,
    ...(jwt_secret === undefined ? {} : { jwt_secret }),
    ...(db_url === undefined ? {} : { db_url }),
  };
}
