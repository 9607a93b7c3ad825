/**
 * Registers the local tenant databases as data sources after a reset, the way an operator would with
 * `npm run tenants -- data-source add`: credentials sealed with the stack's generated key. Seeds cannot do
 * this, since the key exists only on this machine. Each is registered as a Supabase project is reached
 * from functions: `url` through the transaction-mode pooler (the stack's PgBouncer), `direct_url` the
 * database itself, for what needs a session (moves, provisioning). The `bench` stack registers them
 * directly: `npm run bench` compares the gateway with a direct baseline, and `bench:load` with its history.
 *
 * @module
 */
import postgres from "postgres";
import { Keyring } from "../../functions/_shared/crypto/mod.ts";
import { registerDataSource, registerKeys } from "../../functions/_shared/data_sources/mod.ts";
import { APP_DATABASE, databaseUrl, poolerUrl, type StackProfile, TENANT_DATABASES } from "./profile.ts";
import type { StackSecrets } from "./secrets.ts";

/** The demo routing of CONTRACT.md: acme has its own database; everyone else uses the default one. */
const DEDICATED_TENANTS: Record<string, (typeof TENANT_DATABASES)[number]> = { acme: "tenant_acme" };
const DEFAULT_DATA_SOURCE = "tenant_shared";

/**
 * Registers the key, every local tenant database, and routes the demo tenants — unless data sources are
 * registered already (a reset wipes them; a restart keeps them).
 */
export async function registerLocalDataSources(profile: StackProfile, secrets: StackSecrets): Promise<void> {
  const keyring = await Keyring.fromEnv(new Map(Object.entries(secrets.encryption)));
  const sql = postgres(databaseUrl(profile, APP_DATABASE), { max: 1, onnotice: () => {} });
  try {
    await sql.begin(async (tx) => {
      const [registered] = await tx`select count(*)::int as n from private.data_sources`;
      if (registered?.n) return;
      await registerKeys(tx, keyring);
      for (const name of TENANT_DATABASES) {
        await registerDataSource(tx, keyring, {
          name,
          kind: "postgres",
          credentials: throughPooler(profile)
            ? { url: poolerUrl(profile, name), direct_url: databaseUrl(profile, name) }
            : { url: databaseUrl(profile, name) },
          isDefault: name === DEFAULT_DATA_SOURCE,
        });
      }
      for (const [slug, dataSource] of Object.entries(DEDICATED_TENANTS)) {
        await tx`
          update public.tenants
          set data_source_id = (select id from private.data_sources where name = ${dataSource})
          where slug = ${slug}`;
      }
    });
  } finally {
    await sql.end();
  }
}

/** Whether the stack's demo data sources go through its PgBouncer (all stacks but `bench`). */
export function throughPooler(profile: StackProfile): boolean {
  return profile.name !== "bench";
}
