/**
 * Data sources: the databases tenants' rows live in. Sealed credentials, the registry, and (later) the
 * per-data-source pools of the gateway.
 *
 * @module
 */
export {
  CREDENTIALS_CONTEXT,
  type DataSourceCredentials,
  openCredentials,
  PostgresCredentials,
  sealCredentials,
  SupabaseCredentials,
} from "./credentials.ts";
export {
  displayFields,
  type Queryable,
  registerDataSource,
  type RegisterDataSourceOptions,
  type RegisteredDataSource,
  registerKeys,
} from "./registry.ts";
