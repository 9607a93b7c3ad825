/**
 * The benchmark's stack and data: the isolated `bench` stack (its own ports and `.local/bench/`), a tenant
 * `bench` on the default (shared) data source with a generated data set, and one owner.
 *
 * The cluster is kept between runs; it is reset (migrations and seed again) when a migration or seed file
 * changed since the data was made, and the tenant is generated again when its size or seed changed.
 *
 * @module
 */
import { join } from "node:path";
import postgres from "postgres";
import { SignJWT } from "jose";
import { generateTenant } from "../tests/stand_ins/generate_tenant.ts";
import { startFunctions, stopFunctions } from "../scripts/stack/functions_process.ts";
import {
  apiUrl,
  APP_DATABASE,
  databaseUrl,
  PROJECT_ROOT,
  type StackProfile,
  stackProfile,
} from "../scripts/stack/profile.ts";
import { exists } from "../scripts/stack/process.ts";
import { resetStack, type RunningStack, startDatabase, stopStack } from "../scripts/stack/stack.ts";

/** The benchmark's user, tenant and data source (the shared default one, like most tenants). */
export const BENCH_USER = { id: "be000000-0000-4000-8000-000000000001", email: "bench@bench.test" } as const;
export const BENCH_TENANT = { id: "be000000-0000-4000-8000-000000000101", slug: "bench" } as const;
export const BENCH_DATABASE = "tenant_shared";

/** Options of {@linkcode prepareBenchStack}. */
export interface PrepareOptions {
  /** Rows of the generated tenant, across its 13 tables. */
  rows: number;
  seed: number;
  log: (line: string) => void;
}

/** A stack ready for the benchmark. */
export interface BenchStack {
  profile: StackProfile;
  stack: RunningStack;
  functionsUrl: string;
  anonKey: string;
  tenantDbUrl: string;
  /** The postmaster's pid, for CPU accounting of the database. */
  postmasterPid: number;
  /** The functions server's pid. */
  functionsPid: number;
  /** The gateway's pool size for the bench tenant's data source (`pool_max`); the baseline uses it too. */
  poolMax: number;
  /** Ids of the bench tenant's contacts, for the GET-by-id workload. */
  contactIds: string[];
  /** Claims the gateway sets for the bench user (what the baseline sets too). */
  claims: Record<string, unknown>;
}

/**
 * Starts the bench stack with a fresh functions server (it runs the code as it is now) and makes sure the
 * bench tenant's data is there.
 */
export async function prepareBenchStack(options: PrepareOptions): Promise<BenchStack> {
  const profile = stackProfile("bench");
  await stopFunctions(profile);
  const stack = await startDatabase(profile);
  const marker = join(profile.dataDir, "bench-data.json");
  const want = { schema: await schemaFingerprint(), rows: options.rows, seed: options.seed };
  const have = await Deno.readTextFile(marker).then(JSON.parse, () => null);
  const reset = !(await exists(join(profile.dataDir, "seeded"))) || have?.schema !== want.schema;
  if (reset) {
    options.log("bench: applying migrations and seed to the bench stack…");
    await Deno.remove(marker).catch(() => {});
    await resetStack(stack);
  }
  const tenantDbUrl = databaseUrl(profile, BENCH_DATABASE);
  await ensureMembership(databaseUrl(profile, APP_DATABASE));
  if (reset || have?.rows !== want.rows || have?.seed !== want.seed) {
    options.log(`bench: generating tenant "${BENCH_TENANT.slug}" with ${options.rows} rows…`);
    const sql = postgres(tenantDbUrl, { max: 1, onnotice: () => {} });
    try {
      const result = await generateTenant(sql, {
        tenantId: BENCH_TENANT.id,
        rows: options.rows,
        seed: options.seed,
        replace: true,
      });
      await sql`analyze`;
      options.log(
        `bench: ${result.rows} rows (${result.tables.contacts} contacts) in ${result.elapsedMs} ms`,
      );
    } finally {
      await sql.end();
    }
    await Deno.writeTextFile(marker, JSON.stringify(want) + "\n");
  }
  await startFunctions(profile, stack.secrets);
  const contactIds = await withSql(tenantDbUrl, (sql) =>
    sql<{ id: string }[]>`
      select id from public.contacts where tenant_id = ${BENCH_TENANT.id}
      order by md5(id::text) limit 1000`.then((rows) => rows.map((row) => row.id)));
  if (contactIds.length === 0) throw new Error("The bench tenant has no contacts");
  const [source] = await withSql(
    databaseUrl(profile, APP_DATABASE),
    (sql) =>
      sql<{ pool_max: number }[]>`select pool_max from private.data_sources where name = ${BENCH_DATABASE}`,
  );
  if (!source) throw new Error(`The data source ${BENCH_DATABASE} is not registered`);
  return {
    profile,
    stack,
    functionsUrl: `${apiUrl(profile)}/functions/v1`,
    anonKey: stack.secrets.anonKey,
    tenantDbUrl,
    postmasterPid: await postmasterPid(profile),
    functionsPid: Number((await Deno.readTextFile(profile.functionsPidFile)).trim()),
    poolMax: source.pool_max,
    contactIds,
    claims: {
      sub: BENCH_USER.id,
      role: "authenticated",
      email: BENCH_USER.email,
      aud: "authenticated",
      tenant_id: BENCH_TENANT.id,
      tenant_role: "owner",
    },
  };
}

/** Stops the bench stack (functions server and PostgreSQL); its data stays for the next run. */
export async function stopBenchStack(bench: BenchStack): Promise<void> {
  await stopStack(bench.profile);
}

/** A user access token for the bench user, as Supabase Auth signs it (HS256). */
export async function benchToken(bench: BenchStack, lifetimeSeconds: number): Promise<string> {
  return await accessToken(bench, BENCH_USER, lifetimeSeconds);
}

/** A user access token for any user of the bench stack, as Supabase Auth signs it (HS256). */
export async function accessToken(
  bench: BenchStack,
  user: { id: string; email: string },
  lifetimeSeconds: number,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT({
    sub: user.id,
    role: "authenticated",
    aud: "authenticated",
    email: user.email,
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(now)
    .setExpirationTime(now + lifetimeSeconds)
    .sign(new TextEncoder().encode(bench.stack.secrets.jwtSecret));
}

/** The bench user, tenant and membership in the application database (idempotent). */
async function ensureMembership(appDbUrl: string): Promise<void> {
  await withSql(appDbUrl, async (sql) => {
    await sql`
      insert into auth.users (instance_id, id, aud, role, email, email_confirmed_at, confirmation_token,
                              recovery_token, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
      values ('00000000-0000-0000-0000-000000000000', ${BENCH_USER.id}, 'authenticated', 'authenticated',
              ${BENCH_USER.email}, now(), '', '', '{"provider": "email", "providers": ["email"]}',
              '{"name": "Bench User"}', now(), now())
      on conflict (id) do nothing`;
    await sql`
      insert into public.tenants (id, slug, name) values (${BENCH_TENANT.id}, ${BENCH_TENANT.slug}, 'Bench Tenant')
      on conflict (id) do nothing`;
    await sql`
      insert into public.tenant_members (tenant_id, user_id, role)
      values (${BENCH_TENANT.id}, ${BENCH_USER.id}, 'owner')
      on conflict (tenant_id, user_id) do nothing`;
  });
}

/** A digest of every migration and seed file: when it changes, the bench databases are reset. */
export async function schemaFingerprint(): Promise<string> {
  const files: string[] = [];
  for (const dir of ["supabase/migrations", "tenant-db/supabase/migrations", "tenant-db/supabase/seed"]) {
    for await (const entry of Deno.readDir(join(PROJECT_ROOT, dir))) {
      if (entry.isFile) files.push(join(dir, entry.name));
    }
  }
  files.push("supabase/seed.sql", "scripts/stack/bootstrap.sql");
  const parts: string[] = [];
  for (const file of files.sort()) parts.push(file, await Deno.readTextFile(join(PROJECT_ROOT, file)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\0")));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function postmasterPid(profile: StackProfile): Promise<number> {
  const text = await Deno.readTextFile(join(profile.pgDataDir, "postmaster.pid"));
  return Number(text.split("\n")[0]);
}

/** Runs `use` with a one-connection pool to `url`, then closes it. */
export async function withSql<T>(url: string, use: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await use(sql);
  } finally {
    await sql.end();
  }
}
