/**
 * `npm run bench:scale`: a thousand tenants on fifty databases, one gateway. On its own stack (`scale`:
 * `.local/scale/`, ports 57321/57322, PgBouncer on 57329), built once and kept between runs:
 *
 * - **50 data sources**: the stack's `tenant_shared` and `tenant_acme` plus 48 databases made from a
 *   bootstrapped (empty) template and brought to the tenant schema by `npm run tenants -- provision --all`
 *   (timed: the first run applies every migration to 48 databases, later runs find nothing behind);
 *   `tenant_shared`, `tenant_acme` and `scale_s01`…`scale_s10` are reached through PgBouncer in
 *   transaction mode (`url`), with a `direct_url` for sessions. 5 dedicated databases (`pool_max` 6), 45
 *   shared ones (`pool_max` 3): 5 × 6 + 45 × 3 = 165 connections at most, under the budget of 200.
 * - **1,000 tenants** (`scale-0001`…), sizes long-tailed: the 5 most popular have 10,000 rows each on a
 *   dedicated database, the rest 3,000 / rank^1.1 rows (at least 30) spread over the shared databases;
 *   **10,000 users**, every tenant with 2 to 400 members (long-tailed too), users picked by a hash so many
 *   belong to several tenants. Set up with SQL and `generate_tenant.ts` (seconds), not the admin API.
 * - **Traffic** (`scale_load_client.ts`): 64 clients for 10 s warm-up + 60 s, each request to a tenant
 *   drawn from Zipf(1) over popularity ranks, 70 % reads, 30 % writes through the function URL, as each
 *   tenant's owner. At 20 s a member of the tenant ranked 10 is removed and at 30 s the tenant ranked 20
 *   is suspended, through the admin API, while a probe asks as them every 20 ms. The tenants of 5 shared
 *   databases (ranks 21–25 and every 44th after) get no request before 40 s: their first requests are a
 *   cold data source under load on a warm server, reported apart from the start's burst.
 *
 * Reports requests/s, p50/p99 overall, of warm tenants, of each tenant's and each data source's first
 * request (and of the held-back ones', and what each added over the warm requests started within 0.5 s
 * of it); each request's time in the gateway's handler (`Server-Timing`
 * `total`) apart from the time before it; errors by code; the gateway's connections sampled every second (`pg_stat_activity` for direct
 * data sources, PgBouncer's `SHOW CLIENTS` for pooled ones) against the budget; the functions server's
 * RSS after warm-up and at the end, and against the connections held at the same moment; the routing and catalog caches' hit rates (from the gateway's stats
 * line, `TENANT_DATA_STATS_INTERVAL_MS`); the V8 heap beside the RSS, and the memory 20 s after the load
 * (`--heap-snapshots` writes the heap itself, for `heap_summary.ts`); the changes' time to take effect;
 * `provision --all`'s time.
 * Exits 1 when a request failed with anything but a documented 503 or an expected refusal.
 *
 * @module
 */
import { defineCommand, runMain } from "citty";
import { join } from "node:path";
import postgres from "postgres";
import { Keyring } from "../functions/_shared/crypto/mod.ts";
import { registerDataSource } from "../functions/_shared/data_sources/mod.ts";
import { generateTenant } from "../tests/stand_ins/generate_tenant.ts";
import { functionsEnv, startFunctions, stopFunctions } from "../scripts/stack/functions_process.ts";
import { psql } from "../scripts/stack/databases.ts";
import {
  apiUrl,
  APP_DATABASE,
  databaseUrl,
  poolerUrl,
  PROJECT_ROOT,
  type StackProfile,
  stackProfile,
} from "../scripts/stack/profile.ts";
import { exists } from "../scripts/stack/process.ts";
import { resetStack, type RunningStack, startDatabase, stopStack } from "../scripts/stack/stack.ts";
import { loadAverage, positive } from "./_cli.ts";
import { accessToken, type BenchStack, schemaFingerprint, withSql } from "./_fixture.ts";
import { servingPid } from "./_memory.ts";
import { linearFit, percentile } from "./_stats.ts";
import type { ScaleLoadConfig, ScaleLoadResult, ScaleTenant } from "./scale_load_client.ts";
import { exchangeLoad, spawnLoadClient } from "./_processes.ts";

const TENANTS = 1_000;
const USERS = 10_000;
const DEDICATED = Array.from({ length: 5 }, (_, i) => `scale_d${String(i + 1).padStart(2, "0")}`);
const SHARED_NEW = Array.from({ length: 43 }, (_, i) => `scale_s${String(i + 1).padStart(2, "0")}`);
/** Shared databases: the stack's default one and 43 more. */
const SHARED = ["tenant_shared", ...SHARED_NEW];
/** Reached through PgBouncer besides the stack's own two (registered through it by the stack). */
const POOLED = new Set(SHARED_NEW.slice(0, 10));
const POOL_MAX = { dedicated: 6, shared: 3 } as const;
const CONNECTION_BUDGET = 200;
/**
 * Shared databases whose tenants get no request before {@linkcode RELEASE_AT_MS}: their first requests are
 * those of a data source going cold → busy under load on a warm server (their pools, opened ahead at the
 * start, closed by the idle timeout meanwhile). Their tenants rank 21–25 (and every 44th after).
 */
const HELD_BACK = SHARED.slice(20, 25);
const RELEASE_AT_MS = 40_000;
/**
 * How long the server idles after the load before its memory is read again: V8 shrinks its heap after about
 * 12 s without work.
 */
const IDLE_AFTER_LOAD_MS = 20_000;
/** Changes whenever the layout above changes, so the data is built again. */
const LAYOUT = "scale-v1";
const MARKER_PREFIX = "bench-scale-";
const TENANT_ID_PREFIX = "5ca1e000-0000-4000-8000-";
const USER_ID_PREFIX = "5ca1e000-0000-4000-9000-";

function tenantId(rank: number): string {
  return `${TENANT_ID_PREFIX}${String(rank).padStart(12, "0")}`;
}
function userId(index: number): string {
  return `${USER_ID_PREFIX}${String(index).padStart(12, "0")}`;
}
function slug(rank: number): string {
  return `scale-${String(rank).padStart(4, "0")}`;
}
/** The database of the tenant ranked `rank` (1 = most popular). */
function databaseOf(rank: number): string {
  return rank <= DEDICATED.length ? DEDICATED[rank - 1]! : SHARED[(rank - 1) % SHARED.length]!;
}
function rowsOf(rank: number): number {
  return rank <= DEDICATED.length ? 10_000 : Math.max(30, Math.round(3_000 / rank ** 1.1));
}
function membersOf(rank: number): number {
  return Math.max(2, Math.round(400 / rank ** 0.8));
}
/** The user that is member `j` of the tenant ranked `rank`: spread by a hash, so users share tenants. */
function memberUser(rank: number, j: number): number {
  return j === 0 ? (rank * 7_919) % USERS : (rank * 7_919 + j * 104_729) % USERS;
}

const command = defineCommand({
  meta: { name: "bench-scale", description: "1,000 tenants on 50 databases under Zipf traffic" },
  args: {
    duration: { type: "string", default: "60", description: "Measured seconds" },
    warmup: { type: "string", default: "10", description: "Unmeasured seconds of load before" },
    concurrency: { type: "string", default: "64", description: "Concurrent clients" },
    zipf: { type: "string", default: "1", description: "Zipf exponent of tenant popularity" },
    json: { type: "boolean", description: "Print the results as one JSON object" },
    "keep-stack": { type: "boolean", description: "Leave the scale stack running afterwards" },
    "heap-snapshots": {
      type: "boolean",
      description: "Write the functions server's V8 heap after warm-up and at the end (.local/scale/heap/)",
    },
  },
  async run({ args }) {
    const durationMs = positive(args.duration, "--duration") * 1000;
    const warmupMs = Math.max(0, Number(args.warmup)) * 1000;
    const concurrency = Math.round(positive(args.concurrency, "--concurrency"));
    const zipfExponent = positive(args.zipf, "--zipf");
    const log = (line: string) => console.error(line);
    const startedAt = new Date();
    const loadBefore = await loadAverage();
    const profile = stackProfile("scale");
    const heapDir = args["heap-snapshots"] ? join(profile.dataDir, "heap") : undefined;
    if (heapDir !== undefined) await Deno.mkdir(heapDir, { recursive: true });
    await stopFunctions(profile);
    const stack = await startDatabase(profile);
    let client: Deno.ChildProcess | undefined;
    const cleanUp = async () => {
      try {
        client?.kill("SIGTERM");
      } catch {
        // exited
      }
      await client?.status;
      if (!args["keep-stack"]) await stopStack(profile);
    };
    try {
      const built = await ensureScaleData(stack, log);
      const provision = await provisionAll(profile, stack, log);
      await startFunctions(profile, stack.secrets, {
        TENANT_DATA_STATS_INTERVAL_MS: "1000",
        TENANT_DATA_CONNECTION_BUDGET: String(CONNECTION_BUDGET),
        ...(heapDir === undefined ? {} : { FUNCTIONS_HEAP_SNAPSHOT_DIR: heapDir }),
      });
      const functionsPid = Number((await Deno.readTextFile(profile.functionsPidFile)).trim());
      const serverPid = servingPid(functionsPid);
      const bench = { stack } as BenchStack;
      const lifetime = 3600 + (warmupMs + durationMs) / 1000;
      const appUrl = databaseUrl(profile, APP_DATABASE);
      log("bench:scale: reading tenants, owners and contacts…");
      const tenants = await loadTenants(profile, bench, lifetime);
      const revoked = { rank: 10, user: memberUser(10, 1) };
      const suspended = 20;
      const changes: ScaleLoadConfig["changes"] = [
        {
          kind: "revoke",
          atMs: 20_000,
          tenant: slug(revoked.rank),
          userId: userId(revoked.user),
          accessToken: await accessToken(bench, {
            id: userId(revoked.user),
            email: `user${revoked.user}@scale.test`,
          }, lifetime),
          contactIds: tenants[revoked.rank - 1]!.contactIds,
        },
        {
          kind: "suspend",
          atMs: 30_000,
          tenant: slug(suspended),
          accessToken: tenants[suspended - 1]!.accessToken,
          contactIds: tenants[suspended - 1]!.contactIds,
        },
      ];
      const marker = `${MARKER_PREFIX}${crypto.randomUUID().slice(0, 8)}`;
      const config: ScaleLoadConfig = {
        base: `${apiUrl(profile)}/functions/v1/tenant-data`,
        adminBase: `${apiUrl(profile)}/functions/v1/tenant-admin`,
        anonKey: stack.secrets.anonKey,
        serviceRoleKey: stack.secrets.serviceRoleKey,
        tenants,
        zipfExponent,
        concurrency,
        warmupMs,
        durationMs,
        marker,
        rssPid: serverPid,
        changes,
        heldBack: { dataSources: HELD_BACK, untilMs: RELEASE_AT_MS },
      };
      log(
        `bench:scale: ${concurrency} clients over ${tenants.length} tenants on ${
          new Set(tenants.map((t) => t.dataSource)).size
        } data sources, Zipf(${zipfExponent}), ${warmupMs / 1000} s warm-up + ${durationMs / 1000} s`,
      );
      const sampler = new ConnectionSampler(profile);
      await sampler.start();
      client = spawnLoadClient("scale_load_client.ts");
      // Each snapshot pauses the server for seconds: the run's latencies then are not comparable.
      const snapshotTimers = heapDir === undefined ? [] : [warmupMs, warmupMs + durationMs - 2_000].map((
        atMs,
      ) => setTimeout(() => Deno.kill(serverPid, "SIGUSR2"), atMs));
      let result: ScaleLoadResult;
      try {
        result = await exchangeLoad<ScaleLoadResult>(client, config);
      } finally {
        snapshotTimers.forEach(clearTimeout);
        await sampler.stop();
      }
      const loadEnded = Date.now();
      // Put back what the changes took away, and remove the load's rows.
      await withSql(appUrl, async (sql) => {
        await sql`update public.tenants set status = 'active' where slug = ${slug(suspended)}`;
        await sql`
          insert into public.tenant_members (tenant_id, user_id, role)
          values (${tenantId(revoked.rank)}, ${userId(revoked.user)}, 'member') on conflict do nothing`;
      });
      const rowsLeft = await removeRows(profile, `${MARKER_PREFIX}%`);
      // The server idle with every cache filled: V8 gives back the heap it grew for the load's garbage.
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, IDLE_AFTER_LOAD_MS - (Date.now() - loadEnded)))
      );
      const series = await gatewayStatsSeries(profile);
      const stats = series.at(-1) ?? null;
      const report = buildReport({
        result,
        sampler,
        stats,
        series,
        provision,
        built,
        startedAt,
        loadBefore,
        loadAfter: await loadAverage(),
        concurrency,
        warmupMs,
        zipfExponent,
        rowsLeft,
      });
      console.log(args.json ? JSON.stringify(report, null, 2) : `\n${formatReport(report)}`);
      if (report.errors.unexpected > 0) Deno.exitCode = 1;
    } finally {
      await cleanUp();
    }
  },
});

/** What building the data took, or that it was there already. */
interface Built {
  reused: boolean;
  seconds: number;
  rows: number;
  memberships: number;
  /** The first `provision --all`, which applied every migration to the new databases. */
  firstProvision: ProvisionRun | null;
}

/** Builds the databases, data sources, tenants, users and rows unless this layout is there already. */
async function ensureScaleData(stack: RunningStack, log: (line: string) => void): Promise<Built> {
  const { profile } = stack;
  const marker = join(profile.dataDir, "scale-data.json");
  const want = { layout: LAYOUT, schema: await schemaFingerprint() };
  const have = await Deno.readTextFile(marker).then(JSON.parse, () => null);
  if (
    have?.layout === want.layout && have?.schema === want.schema &&
    await exists(join(profile.dataDir, "seeded"))
  ) {
    return {
      reused: true,
      seconds: 0,
      rows: have.rows,
      memberships: have.memberships,
      firstProvision: have.firstProvision ?? null,
    };
  }
  const started = performance.now();
  log("bench:scale: applying migrations and seed to the scale stack…");
  await Deno.remove(marker).catch(() => {});
  await resetStack(stack);
  const appUrl = databaseUrl(profile, APP_DATABASE);
  log(`bench:scale: creating ${DEDICATED.length + SHARED_NEW.length} databases from an empty template…`);
  const existing = new Set(
    (await psql(stack.cluster, profile, APP_DATABASE, ["-tAc", "select datname from pg_database"]))
      .split("\n").map((line) => line.trim()),
  );
  for (const database of ["scale_template", ...DEDICATED, ...SHARED_NEW]) {
    if (existing.has(database)) {
      await psql(stack.cluster, profile, APP_DATABASE, ["-qc", `drop database ${database} with (force)`]);
    }
  }
  await psql(stack.cluster, profile, APP_DATABASE, ["-qc", "create database scale_template"]);
  await psql(stack.cluster, profile, "scale_template", [
    "-q",
    "-f",
    join(PROJECT_ROOT, "scripts", "stack", "bootstrap.sql"),
  ]);
  for (const database of [...DEDICATED, ...SHARED_NEW]) {
    await psql(stack.cluster, profile, APP_DATABASE, [
      "-qc",
      `create database ${database} template scale_template`,
    ]);
  }
  const keyring = await Keyring.fromEnv(new Map(Object.entries(stack.secrets.encryption)));
  await withSql(appUrl, (sql) =>
    sql.begin(async (tx) => {
      for (const database of [...DEDICATED, ...SHARED_NEW]) {
        const direct = databaseUrl(profile, database);
        await registerDataSource(tx, keyring, {
          name: database,
          kind: "postgres",
          credentials: POOLED.has(database)
            ? { url: poolerUrl(profile, database), direct_url: direct }
            : { url: direct },
          poolMax: DEDICATED.includes(database) ? POOL_MAX.dedicated : POOL_MAX.shared,
        });
      }
      await tx`update private.data_sources set pool_max = ${POOL_MAX.shared} where name = 'tenant_shared'`;
      await tx`update private.data_sources set pool_max = ${POOL_MAX.shared} where name = 'tenant_acme'`;
    }));
  // The tenant schema comes with `provision --all` (below, timed); the data needs it now.
  const firstProvision = await provisionAll(profile, stack, log);
  log(`bench:scale: ${TENANTS} tenants, ${USERS} users and their memberships…`);
  let memberships = 0;
  await withSql(appUrl, async (sql) => {
    await sql`
      insert into auth.users (instance_id, id, aud, role, email, email_confirmed_at, confirmation_token,
                              recovery_token, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
      select '00000000-0000-0000-0000-000000000000',
             (${USER_ID_PREFIX} || lpad(i::text, 12, '0'))::uuid, 'authenticated', 'authenticated',
             'user' || i || '@scale.test', now(), '', '', '{"provider": "email", "providers": ["email"]}',
             '{}', now(), now()
      from generate_series(0, ${USERS - 1}) as i
      on conflict (id) do nothing`;
    const tenantRows = Array.from({ length: TENANTS }, (_, i) => ({
      id: tenantId(i + 1),
      slug: slug(i + 1),
      name: `Scale tenant ${i + 1}`,
      database: databaseOf(i + 1),
    }));
    await sql`
      insert into public.tenants (id, slug, name, data_source_id)
      select t.id::uuid, t.slug, t.name, ds.id
      from jsonb_to_recordset(${sql.json(tenantRows)}) as t(id text, slug text, name text, database text)
      join private.data_sources ds on ds.name = t.database`;
    const members: { tenant_id: string; user_id: string; role: string }[] = [];
    for (let rank = 1; rank <= TENANTS; rank++) {
      const seen = new Set<number>();
      for (let j = 0; j < membersOf(rank); j++) {
        const user = memberUser(rank, j);
        if (seen.has(user)) continue;
        seen.add(user);
        members.push({
          tenant_id: tenantId(rank),
          user_id: userId(user),
          role: j === 0 ? "owner" : j === 1 || j % 10 >= 3 ? "member" : "viewer",
        });
      }
    }
    memberships = members.length;
    await sql`
      insert into public.tenant_members (tenant_id, user_id, role)
      select m.tenant_id::uuid, m.user_id::uuid, m.role
      from jsonb_to_recordset(${sql.json(members)}) as m(tenant_id text, user_id text, role text)`;
  });
  log("bench:scale: generating the tenants' rows…");
  let rows = 0;
  const byDatabase = new Map<string, number[]>();
  for (let rank = 1; rank <= TENANTS; rank++) {
    byDatabase.set(databaseOf(rank), [...(byDatabase.get(databaseOf(rank)) ?? []), rank]);
  }
  const databases = [...byDatabase.keys()];
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < databases.length) {
      const database = databases[next++]!;
      await withSql(databaseUrl(profile, database), async (sql) => {
        for (const rank of byDatabase.get(database)!) {
          const generated = await generateTenant(sql, {
            tenantId: tenantId(rank),
            rows: rowsOf(rank),
            seed: rank,
            replace: true,
          });
          rows += generated.rows;
        }
        await sql`analyze`;
      });
    }
  }));
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  await Deno.writeTextFile(marker, JSON.stringify({ ...want, rows, memberships, firstProvision }) + "\n");
  log(`bench:scale: built ${rows} rows and ${memberships} memberships in ${seconds} s`);
  return { reused: false, seconds, rows, memberships, firstProvision };
}

/** What `provision --all` printed, and how long it took. */
interface ProvisionRun {
  seconds: number;
  exitCode: number;
  dataSources: number;
  ok: number;
  skipped: number;
  failed: number;
  /** Migrations applied over all databases. */
  applied: number;
}

/** Runs `npm run tenants -- provision --all --json` against the stack, as an operator would. */
async function provisionAll(profile: StackProfile, stack: RunningStack, log: (line: string) => void) {
  const started = performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--quiet",
      join(PROJECT_ROOT, "scripts", "tenants", "main.ts"),
      "provision",
      "--all",
      "--json",
    ],
    cwd: PROJECT_ROOT,
    env: { ...functionsEnv(profile, stack.secrets), NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const seconds = Math.round((performance.now() - started) / 10) / 100;
  const rows = JSON.parse(new TextDecoder().decode(output.stdout) || "[]") as {
    result: string;
    applied: string[];
  }[];
  const run: ProvisionRun = {
    seconds,
    exitCode: output.code,
    dataSources: rows.length,
    ok: rows.filter((row) => row.result === "ok").length,
    skipped: rows.filter((row) => row.result === "skipped").length,
    failed: rows.filter((row) => row.result === "failed").length,
    applied: rows.reduce((sum, row) => sum + row.applied.length, 0),
  };
  log(
    `bench:scale: provision --all: ${run.dataSources} data sources (${run.ok} ok, ${run.skipped} skipped, ${run.failed} failed), ${run.applied} migrations applied in ${seconds} s`,
  );
  if (output.code !== 0) {
    throw new Error(`provision --all failed:\n${new TextDecoder().decode(output.stderr).slice(-2000)}`);
  }
  return run;
}

/** Every tenant with its owner's token and up to 20 contact ids, in popularity order. */
async function loadTenants(
  profile: StackProfile,
  bench: BenchStack,
  lifetime: number,
): Promise<ScaleTenant[]> {
  const contacts = new Map<string, string[]>();
  const databases = [...new Set(Array.from({ length: TENANTS }, (_, i) => databaseOf(i + 1)))];
  await Promise.all(databases.map((database) =>
    withSql(databaseUrl(profile, database), async (sql) => {
      const rows = await sql<{ tenant_id: string; ids: string[] }[]>`
        select tenant_id, (array_agg(id order by id))[1:20] as ids
        from public.contacts where tenant_id::text like ${`${TENANT_ID_PREFIX}%`}
          and name not like ${`${MARKER_PREFIX}%`}
        group by tenant_id`;
      for (const row of rows) contacts.set(row.tenant_id, row.ids);
    })
  ));
  const tenants: ScaleTenant[] = [];
  for (let rank = 1; rank <= TENANTS; rank++) {
    const owner = memberUser(rank, 0);
    const ids = contacts.get(tenantId(rank));
    if (!ids?.length) throw new Error(`The tenant ${slug(rank)} has no contacts`);
    tenants.push({
      slug: slug(rank),
      dataSource: databaseOf(rank),
      accessToken: await accessToken(
        bench,
        { id: userId(owner), email: `user${owner}@scale.test` },
        lifetime,
      ),
      contactIds: ids,
    });
  }
  return tenants;
}

/** Deletes the load's rows from every tenant database; returns how many were left. */
async function removeRows(profile: StackProfile, pattern: string): Promise<number> {
  let removed = 0;
  for (const database of ["tenant_shared", ...DEDICATED, ...SHARED_NEW]) {
    removed += await withSql(databaseUrl(profile, database), async (sql) => {
      return (await sql`delete from public.contacts where name like ${pattern}`).count;
    });
  }
  return removed;
}

/** One sample of the gateway's connections. */
interface ConnectionSample {
  atMs: number;
  /** `Date.now()` of the sample, to line it up with the load's RSS samples. */
  wallMs: number;
  /** Backends of direct data sources held by the gateway (`application_name` tenant-data). */
  direct: number;
  /** The gateway's client connections to PgBouncer. */
  pooled: number;
  /** PgBouncer's server connections. */
  poolerServers: number;
}

/** Samples the gateway's connections every second. */
class ConnectionSampler {
  readonly samples: ConnectionSample[] = [];
  #profile: StackProfile;
  #timer: ReturnType<typeof setInterval> | undefined;
  #pg: postgres.Sql | undefined;
  #bouncer: postgres.Sql | undefined;
  #begin = 0;
  #busy = false;

  constructor(profile: StackProfile) {
    this.#profile = profile;
  }

  async start(): Promise<void> {
    this.#pg = postgres(databaseUrl(this.#profile, APP_DATABASE), { max: 1, onnotice: () => {} });
    this.#bouncer = postgres(poolerUrl(this.#profile, "pgbouncer"), {
      max: 1,
      fetch_types: false,
      prepare: false,
      onnotice: () => {},
    });
    this.#begin = performance.now();
    await this.#sample();
    this.#timer = setInterval(() => void this.#sample(), 1000);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#pg?.end();
    await this.#bouncer?.end();
  }

  async #sample(): Promise<void> {
    if (this.#busy || !this.#pg || !this.#bouncer) return;
    this.#busy = true;
    try {
      const [row] = await this.#pg<{ direct: number; servers: number }[]>`
        select count(*) filter (where application_name = 'tenant-data'
                                  and client_port is not null
                                  and backend_type = 'client backend'
                                  and not (datname = any(${[...POOLED, "tenant_shared", "tenant_acme"]}))
                               )::int as direct,
               count(*) filter (where usename = 'postgres' and datname = any(${[
        ...POOLED,
        "tenant_shared",
        "tenant_acme",
      ]}) and application_name <> 'tenant-router-bench')::int as servers
        from pg_stat_activity`;
      const clients = await this.#bouncer.unsafe("SHOW CLIENTS") as unknown as { database: string }[];
      const pooled = clients.filter((client) => client.database !== "pgbouncer").length;
      this.samples.push({
        atMs: Math.round(performance.now() - this.#begin),
        wallMs: Date.now(),
        direct: row?.direct ?? 0,
        pooled,
        poolerServers: row?.servers ?? 0,
      });
    } catch (error) {
      console.error(
        `bench:scale: connection sample failed: ${error instanceof Error ? error.message : error}`,
      );
    } finally {
      this.#busy = false;
    }
  }
}

/** The stats lines of the functions server's current run (after its last start), oldest first. */
async function gatewayStatsSeries(profile: StackProfile): Promise<GatewayStats[]> {
  const lines = (await Deno.readTextFile(join(profile.logDir, "functions.log")).catch(() => "")).split("\n");
  const start = lines.findLastIndex((line) => line.startsWith("Serving "));
  return lines.slice(start + 1).filter((line) => line.startsWith("tenant-data: stats "))
    .map((line) => JSON.parse(line.slice("tenant-data: stats ".length)) as GatewayStats);
}

/**
 * The V8 heap beside the RSS (`Deno.memoryUsage()` from the stats line nearest each RSS sample's time):
 * its size (`heapTotal`: what V8 reserved) and what was in use when sampled (live objects and garbage not
 * collected yet).
 */
function heapBesideRss(series: GatewayStats[], samples: ScaleLoadResult["rss"]["samples"], atMs: number) {
  const sample = samples.reduce<(typeof samples)[number] | undefined>(
    (best, s) => best === undefined || Math.abs(s.atMs - atMs) < Math.abs(best.atMs - atMs) ? s : best,
    undefined,
  );
  if (sample === undefined) return null;
  const stats = series.filter((s) => s.at !== undefined).reduce<GatewayStats | undefined>(
    (best, s) =>
      best === undefined || Math.abs(s.at! - sample.wallMs) < Math.abs(best.at! - sample.wallMs) ? s : best,
    undefined,
  );
  return stats?.memoryMiB ?? null;
}

interface CacheCounters {
  size: number;
  hits: number;
  loads: number;
  joins?: number;
}

interface GatewayStats {
  directory: { memberships: CacheCounters; dataSources: CacheCounters; decryptions: number };
  catalogs: CacheCounters;
  pools: { count: number; allocatedConnections: number; connectionBudget: number; connections: number };
  /** `Deno.memoryUsage()` in MiB. */
  memoryMiB?: { rss: number; heapTotal: number; heapUsed: number; external: number };
  /** `Date.now()` of the line. */
  at?: number;
}

function hitRate(counters: CacheCounters | undefined): number | null {
  if (!counters) return null;
  const total = counters.hits + counters.loads + (counters.joins ?? 0);
  return total === 0 ? null : Math.round((counters.hits / total) * 10_000) / 100;
}

function summary(latencies: number[]) {
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    count: latencies.length,
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies.at(-1) ?? NaN),
  };
}

interface ReportInput {
  result: ScaleLoadResult;
  sampler: ConnectionSampler;
  stats: GatewayStats | null;
  /** Every stats line of the run. */
  series: GatewayStats[];
  provision: ProvisionRun;
  built: Built;
  startedAt: Date;
  loadBefore: number[];
  loadAfter: number[];
  concurrency: number;
  warmupMs: number;
  zipfExponent: number;
  rowsLeft: number;
}

function buildReport(input: ReportInput) {
  const { result, sampler, stats } = input;
  const peak = (pick: (sample: ConnectionSample) => number) => Math.max(0, ...sampler.samples.map(pick));
  const unexpected = Object.entries(result.errors).filter(([outcome]) => !/^503 /.test(outcome))
    .reduce((sum, [, n]) => sum + n, 0);
  const documented503 = Object.entries(result.errors).filter(([outcome]) => /^503 /.test(outcome))
    .reduce((sum, [, n]) => sum + n, 0);
  const rssGrowth = (result.rss.endKb - result.rss.afterWarmupKb) / result.rss.afterWarmupKb;
  const sorted = (values: (number | null)[]) =>
    values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const cold = result.coldDataSourceSamples;
  return {
    startedAt: input.startedAt.toISOString(),
    load: { before: input.loadBefore, after: input.loadAfter },
    setup: { ...input.built, provisionAll: input.provision },
    traffic: {
      concurrency: input.concurrency,
      warmupSeconds: input.warmupMs / 1000,
      seconds: result.elapsedMs / 1000,
      zipfExponent: input.zipfExponent,
      tenantsTouched: result.tenantsTouched,
      dataSourcesTouched: result.dataSourcesTouched,
    },
    requestsPerSecond: Math.round(result.requests.measured / (result.elapsedMs / 1000)),
    latencyMs: {
      all: summary(result.measured.latenciesMs),
      warmTenants: summary(result.warm.latenciesMs),
      coldTenantFirst: summary(result.coldTenant.latenciesMs),
      coldDataSourceFirst: summary(result.coldDataSource.latenciesMs),
      /** The held-back data sources' first requests, released at 40 s into a warm, loaded server. */
      coldDataSourceUnderLoad: summary(result.coldDataSourceUnderLoad.latenciesMs),
      /**
       * What being a data source's first request added: its latency less the median of the warm requests
       * started within 0.5 s of it (the queueing every request met at that moment), all of them and the
       * held-back ones.
       */
      coldDataSourceAdded: summary(result.coldDataSourceAdded.latenciesMs),
      coldDataSourceUnderLoadAdded: summary(result.coldDataSourceUnderLoadAdded.latenciesMs),
    },
    /**
     * Each request's time split into the gateway handler's (`Server-Timing` `total`) and the rest (sending,
     * queueing in front of the handler, the way back): of the measured window, of the run's first second
     * (the burst on a fresh server) and of each data source's first request.
     */
    handlerSplitMs: {
      measured: {
        handler: summary(result.measuredSplit.handlerMs),
        outsideHandler: summary(result.measuredSplit.outsideHandlerMs),
      },
      firstSecond: {
        all: summary(result.firstSecond.latenciesMs),
        handler: summary(result.firstSecond.handlerMs),
        outsideHandler: summary(result.firstSecond.outsideHandlerMs),
      },
      coldDataSourceFirst: {
        handler: summary(sorted(cold.map((c) => c.handlerMs))),
        outsideHandler: summary(sorted(cold.map((c) => c.outsideHandlerMs))),
        pool: summary(sorted(cold.map((c) => c.poolMs))),
      },
    },
    /** Each data source's first request, slowest first: when in the run, how long, the gateway's stages. */
    coldDataSourceSamples: [...result.coldDataSourceSamples].sort((a, b) => b.ms - a.ms),
    outcomes: result.outcomes,
    errors: { byOutcome: result.errors, unexpected, documented503, first: result.firstErrors },
    connections: {
      budget: CONNECTION_BUDGET,
      peakGateway: peak((s) => s.direct + s.pooled),
      peakDirect: peak((s) => s.direct),
      peakPooledClients: peak((s) => s.pooled),
      peakPoolerServers: peak((s) => s.poolerServers),
      samples: sampler.samples.length,
    },
    rssMiB: {
      afterWarmup: Math.round(result.rss.afterWarmupKb / 102.4) / 10,
      end: Math.round(result.rss.endKb / 102.4) / 10,
      growthPercent: Math.round(rssGrowth * 1000) / 10,
      /** The V8 heap at the same moments: RSS follows its size (`heapTotal`), not what is in use. */
      heapAfterWarmup: heapBesideRss(input.series, result.rss.samples, input.warmupMs),
      heapEnd: heapBesideRss(input.series, result.rss.samples, input.warmupMs + result.elapsedMs),
      /**
       * `Deno.memoryUsage()` 20 s after the load, every tenant, pool and catalog still cached: what the
       * working set costs once V8 has shrunk the heap it grew for the load's garbage.
       */
      idleAfterLoad: input.series.at(-1)?.memoryMiB ?? null,
    },
    rssVsConnections: rssVsConnections(result.rss.samples, sampler.samples, input.warmupMs),
    cacheHitPercent: {
      memberships: hitRate(stats?.directory.memberships),
      dataSources: hitRate(stats?.directory.dataSources),
      catalogs: hitRate(stats?.catalogs),
    },
    gatewayPools: stats?.pools ?? null,
    changes: result.changes,
    rowsLeft: input.rowsLeft,
  };
}

/**
 * The server's RSS beside the gateway's connections at the same moment (the connection sample nearest
 * in time, within 1.5 s): every 5 s of the run, and the least-squares MiB per connection after warm-up.
 */
function rssVsConnections(
  rss: ScaleLoadResult["rss"]["samples"],
  connections: ConnectionSample[],
  warmupMs: number,
) {
  const pairs: { atS: number; rssMiB: number; connections: number }[] = [];
  for (const sample of rss) {
    if (!Number.isFinite(sample.kb)) continue;
    let nearest: ConnectionSample | undefined;
    for (const c of connections) {
      if (!nearest || Math.abs(c.wallMs - sample.wallMs) < Math.abs(nearest.wallMs - sample.wallMs)) {
        nearest = c;
      }
    }
    if (!nearest || Math.abs(nearest.wallMs - sample.wallMs) > 1500) continue;
    pairs.push({
      atS: Math.round(sample.atMs / 100) / 10,
      rssMiB: Math.round(sample.kb / 102.4) / 10,
      connections: nearest.direct + nearest.pooled,
    });
  }
  const fit = linearFit(
    pairs.filter((p) => p.atS * 1000 >= warmupMs).map((p) => [p.connections, p.rssMiB] as const),
  );
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    every5s: pairs.filter((p, i) =>
      i === 0 || i === pairs.length - 1 || Math.floor(p.atS / 5) !== Math.floor(pairs[i - 1]!.atS / 5)
    ),
    afterWarmup: fit === null
      ? null
      : { mibPerConnection: round(fit.slope), interceptMiB: round(fit.intercept), r: round(fit.r) },
  };
}

function formatReport(report: ReturnType<typeof buildReport>): string {
  const l = report.latencyMs;
  const line = (name: string, s: ReturnType<typeof summary>) =>
    `  ${name.padEnd(28)} n=${
      String(s.count).padStart(6)
    }  p50 ${s.p50} ms  p99 ${s.p99} ms  max ${s.max} ms`;
  const p = report.setup.provisionAll;
  return [
    `bench:scale ${report.startedAt} (load average before ${report.load.before}, after ${report.load.after})`,
    `first provision --all (new databases): ${JSON.stringify(report.setup.firstProvision)}`,
    `setup: ${
      report.setup.reused ? "reused" : `built in ${report.setup.seconds} s`
    }; provision --all again: ${p.dataSources} data sources, ${p.ok} ok, ${p.skipped} skipped, ${p.failed} failed, ${p.applied} migrations applied, ${p.seconds} s`,
    `traffic: ${report.traffic.concurrency} clients, ${report.traffic.warmupSeconds} s + ${report.traffic.seconds} s, Zipf(${report.traffic.zipfExponent}), ${report.traffic.tenantsTouched} tenants and ${report.traffic.dataSourcesTouched} data sources touched`,
    `requests/s: ${report.requestsPerSecond}`,
    line("all (measured window)", l.all),
    line("warm tenants", l.warmTenants),
    line("first request of a tenant", l.coldTenantFirst),
    line("first request of a source", l.coldDataSourceFirst),
    line(`  of ${HELD_BACK.length} held back to ${RELEASE_AT_MS / 1000} s`, l.coldDataSourceUnderLoad),
    line("  added over warm requests then", l.coldDataSourceAdded),
    line("  the held back ones, added", l.coldDataSourceUnderLoadAdded),
    ...report.coldDataSourceSamples.slice(0, 5).map((c) =>
      `    at ${(c.atMs / 1000).toFixed(1)} s, ${c.kind}: ${c.ms} ms (${
        c.outsideHandlerMs ?? "-"
      } ms outside the handler); Server-Timing: ${c.serverTiming ?? "-"}`
    ),
    "handler's time (Server-Timing total) and the rest (sending, queueing in front of the handler, the way back):",
    ...([
      ["measured window", report.handlerSplitMs.measured],
      ["first second of the run", report.handlerSplitMs.firstSecond],
      ["first request of a source", report.handlerSplitMs.coldDataSourceFirst],
    ] as const).map(([name, split]) =>
      `  ${
        name.padEnd(28)
      } handler p50 ${split.handler.p50} / p99 ${split.handler.p99} ms; outside p50 ${split.outsideHandler.p50} / p99 ${split.outsideHandler.p99} ms`
    ),
    `outcomes: ${JSON.stringify(report.outcomes)}`,
    `errors: ${report.errors.unexpected} unexpected, ${report.errors.documented503} documented 503s ${
      JSON.stringify(report.errors.byOutcome)
    }`,
    ...report.errors.first.map((e) => `  ${e.status} ${e.kind} ${e.tenant}: ${e.body}`),
    `connections: peak ${report.connections.peakGateway} held by the gateway (direct ${report.connections.peakDirect}, to PgBouncer ${report.connections.peakPooledClients}) of a budget of ${report.connections.budget}; PgBouncer's server connections peak ${report.connections.peakPoolerServers}`,
    `RSS: ${report.rssMiB.afterWarmup} MiB after warm-up, ${report.rssMiB.end} MiB at the end (${report.rssMiB.growthPercent} %)`,
    `V8 heap (size / in use) then: ${JSON.stringify(report.rssMiB.heapAfterWarmup)} → ${
      JSON.stringify(report.rssMiB.heapEnd)
    }; idle 20 s after the load, caches full: ${JSON.stringify(report.rssMiB.idleAfterLoad)}`,
    `RSS against connections: ${
      report.rssVsConnections.every5s.map((p) => `${p.atS} s ${p.rssMiB} MiB/${p.connections}`).join(", ")
    }; after warm-up ${JSON.stringify(report.rssVsConnections.afterWarmup)}`,
    `cache hit rates: memberships ${report.cacheHitPercent.memberships} %, data sources ${report.cacheHitPercent.dataSources} %, catalogs ${report.cacheHitPercent.catalogs} %`,
    `gateway pools at the end: ${JSON.stringify(report.gatewayPools)}`,
    ...report.changes.map((c) =>
      `${c.kind} ${c.tenant}: admin ${c.status}, first refused request ${c.effectiveAfterMs} ms after the change (${c.servedBefore} served before)`
    ),
    `rows the load left behind (removed): ${report.rowsLeft}`,
  ].join("\n");
}

await runMain(command);
