// Internal: what every route module of the admin API shares.
import type postgres from "postgres";
import type { Keyring } from "../../crypto/mod.ts";
import type { Migration } from "../../provision/mod.ts";
import type { Caller } from "../caller.ts";
import type { ProbeFunction } from "../../control_plane/mod.ts";

/** Hono's environment: the verified caller, set by the authentication middleware. */
export interface AdminEnv {
  Variables: { caller: Caller };
}

/** The dependencies of the route modules. */
export interface AdminDeps {
  sql: postgres.Sql;
  keyring: Keyring;
  probe: ProbeFunction | undefined;
  /** The tenant-db migrations, loaded once; `undefined` when this deployment does not have them. */
  migrations: () => Promise<Migration[] | undefined>;
  /** Keeps work running after the answer (tenant moves): `EdgeRuntime.waitUntil` on Supabase. */
  background: (task: Promise<unknown>) => void;
}
