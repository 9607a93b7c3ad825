/**
 * The local stack as a whole: one PostgreSQL cluster with the application and tenant databases, PgBouncer
 * in transaction mode in front of it, and the functions server. Used by `npm start | stop | status | db:reset` and by `npm test` (its own profile).
 *
 * @module
 */
import { join } from "node:path";
import { Cluster } from "./cluster.ts";
import { registerLocalDataSources } from "./data_sources.ts";
import { bootstrapDatabases, resetDatabases } from "./databases.ts";
import { startFunctions, stopFunctions } from "./functions_process.ts";
import { startPooler, stopPooler } from "./pgbouncer.ts";
import { ensurePrerequisites, type Prerequisites } from "./prerequisites.ts";
import type { StackProfile } from "./profile.ts";
import { exists } from "./process.ts";
import { loadSecrets, type StackSecrets } from "./secrets.ts";

/** A stack that is up: its cluster and secrets. */
export interface RunningStack {
  profile: StackProfile;
  prerequisites: Prerequisites;
  cluster: Cluster;
  secrets: StackSecrets;
}

/**
 * Brings the stack up: installs what is missing, initialises on first run (cluster, databases, migrations,
 * seed), starts PostgreSQL and the functions server. A healthy stack is left as it is.
 */
export async function startStack(profile: StackProfile): Promise<RunningStack> {
  const stack = await startDatabase(profile);
  if (await exists(seededMarker(profile))) {
    // After a plain `supabase db reset --db-url` by hand: pgTAP and the data sources are back.
    await bootstrapDatabases(stack);
    await registerLocalDataSources(profile, stack.secrets);
  } else {
    await resetStack(stack);
  }
  await startFunctions(profile, stack.secrets);
  return stack;
}

/** Starts PostgreSQL (initialising the cluster on first run) and PgBouncer, not the functions. */
export async function startDatabase(profile: StackProfile): Promise<RunningStack> {
  const prerequisites = await ensurePrerequisites();
  const secrets = await loadSecrets(profile);
  const cluster = new Cluster({ profile, prerequisites });
  if (!(await cluster.isInitialised())) {
    console.error(`Initialising PostgreSQL ${prerequisites.pgVersion} in ${await cluster.dataDirectory()}…`);
    await cluster.init();
  }
  await cluster.start();
  await startPooler({ profile, prerequisites, cluster });
  return { profile, prerequisites, cluster, secrets };
}

/** Re-applies migrations and seed to every database and registers the tenant databases as data sources. */
export async function resetStack(stack: RunningStack): Promise<void> {
  const { profile } = stack;
  await Deno.remove(seededMarker(profile)).catch(() => {});
  console.error("Applying migrations and seed with the Supabase CLI…");
  await resetDatabases(stack);
  await registerLocalDataSources(profile, stack.secrets);
  await Deno.writeTextFile(seededMarker(profile), `${new Date().toISOString()}\n`);
}

/** Stops the functions server, PgBouncer and PostgreSQL; data stays. */
export async function stopStack(profile: StackProfile): Promise<void> {
  await stopFunctions(profile);
  if (!(await exists(join(profile.pgDataDir, "PG_VERSION")))) return;
  const cluster = new Cluster({ profile, prerequisites: await ensurePrerequisites() });
  await stopPooler({ cluster });
  await cluster.stop();
}

function seededMarker(profile: StackProfile): string {
  return join(profile.dataDir, "seeded");
}
