/**
 * A data source as the gateway uses it: its routing fields and its decrypted credentials, which stay in a
 * private field so that logging, `JSON.stringify` or `console.log` of the object never shows them.
 *
 * @module
 */
import { maskConnectionString } from "../crypto/mod.ts";
import type { DataSourceCredentials } from "./credentials.ts";

/** `private.data_sources.status`: `draining` still serves its tenants, `disabled` serves nobody. */
export type DataSourceStatus = "active" | "draining" | "disabled";

/**
 * PostgREST settings of a data source that Supabase leaves off and a project can turn on
 * (`aggregates_enabled`, `plan_enabled`). Only `postgres` data sources carry them: a `supabase` one
 * forwards to its project's PostgREST, which decides.
 */
export interface PostgrestSettings {
  /** `avg()`, `count()`, `max()`, `min()`, `sum()` in `select` (`db-aggregates-enabled`). */
  aggregates: boolean;
  /** EXPLAIN plans for `Accept: application/vnd.pgrst.plan` (`db-plan-enabled`). */
  plan: boolean;
}

/** Both settings off, as in Supabase. */
export const POSTGREST_DEFAULTS: PostgrestSettings = Object.freeze({ aggregates: false, plan: false });

/** Options of {@linkcode DataSource}: one row of `private.data_sources` with its credentials opened. */
export interface DataSourceOptions {
  /** The row's id. */
  id: string;
  /** The row's unique name (`tenant_shared`). */
  name: string;
  /** The row's status. */
  status: DataSourceStatus;
  /** Whether tenants without a data source use this one. */
  isDefault: boolean;
  /** The most connections one process may open to it (`pool_max`, 1–100). */
  poolMax: number;
  /** Aggregates and EXPLAIN; both off when not given. */
  postgrest?: PostgrestSettings;
  /**
   * Which sealed credentials these are (`<key id>:<nonce hex>`): changes whenever the credentials are
   * re-encrypted or replaced, so a pool built from older credentials can be told apart.
   */
  version: string;
  /** The decrypted credentials. */
  credentials: DataSourceCredentials;
}

/** A safe view of a {@linkcode DataSource}: what `JSON.stringify` and `console.log` show. */
export interface DataSourceView {
  id: string;
  name: string;
  kind: DataSourceCredentials["kind"];
  status: DataSourceStatus;
  isDefault: boolean;
  poolMax: number;
  version: string;
  /** The connection string with its password masked, or the project URL. */
  url: string;
}

/**
 * One data source with its decrypted credentials. The credentials are only reachable through
 * {@linkcode DataSource.credentials}; `toJSON()` and `console.log` show a masked URL instead.
 *
 * @example
 * ```ts
 * const source = new DataSource({ id, name: "tenant_acme", status: "active", isDefault: false,
 *   poolMax: 10, version: "k1:00ff…", credentials: { kind: "postgres", credentials: { url } } });
 * console.log(source); // DataSource {"id":…,"url":"postgresql://app:****@db:5432/tenant_acme"}
 * ```
 */
export class DataSource {
  /** The row's id. */
  readonly id: string;
  /** The row's unique name. */
  readonly name: string;
  /** `postgres` or `supabase`. */
  readonly kind: DataSourceCredentials["kind"];
  /** The row's status. */
  readonly status: DataSourceStatus;
  /** Whether tenants without a data source use this one. */
  readonly isDefault: boolean;
  /** The most connections one process may open to it. */
  readonly poolMax: number;
  /** Aggregates and EXPLAIN, as the gateway serves this data source. */
  readonly postgrest: PostgrestSettings;
  /** Which sealed credentials these are; see {@linkcode DataSourceOptions.version}. */
  readonly version: string;
  #credentials: DataSourceCredentials;

  /** Wraps one data source; the credentials are frozen. */
  constructor(options: DataSourceOptions) {
    this.id = options.id;
    this.name = options.name;
    this.kind = options.credentials.kind;
    this.status = options.status;
    this.isDefault = options.isDefault;
    this.poolMax = options.poolMax;
    this.postgrest = Object.freeze({ ...(options.postgrest ?? POSTGREST_DEFAULTS) });
    this.version = options.version;
    this.#credentials = Object.freeze({
      kind: options.credentials.kind,
      credentials: Object.freeze({ ...options.credentials.credentials }),
    }) as DataSourceCredentials;
  }

  /** The decrypted credentials: pass them to a client, never to a log, response or error. */
  credentials(): DataSourceCredentials {
    return this.#credentials;
  }

  /** The safe view, without secrets. */
  toJSON(): DataSourceView {
    const { url } = this.#credentials.credentials;
    return {
      id: this.id,
      name: this.name,
      kind: this.kind,
      status: this.status,
      isDefault: this.isDefault,
      poolMax: this.poolMax,
      version: this.version,
      url: maskConnectionString(url),
    };
  }

  /** Shows the safe view in `console.log`. */
  [Symbol.for("Deno.customInspect")](): string {
    return `DataSource ${JSON.stringify(this.toJSON())}`;
  }

  /** Shows the safe view in Node's `util.inspect`. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `DataSource ${JSON.stringify(this.toJSON())}`;
  }
}
