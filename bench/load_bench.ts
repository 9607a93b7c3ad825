/**
 * `npm run bench:load`: sustained mixed load on the tenant-data gateway, to show it holds up (no errors)
 * and does not leak (the functions server's memory stays flat) over a long run, not just a short one.
 *
 * - The stack: the isolated bench stack of `npm run bench` (`.local/bench/`, ports 56321/56322), with a
 *   fresh functions server running the code as it is.
 * - The tenants: the demo seed's acme (its own database `tenant_acme`, as alice, owner), globex (shared
 *   database, as grace, owner) and initech (shared database, as ivan, member: members insert, update, and
 *   delete only the rows they created, which is all the load deletes).
 * - The load (`mixed_load_client.ts`): its own process, `--concurrency` workers spread over the three
 *   tenants, each cycling through 70 % reads and 30 % writes on `contacts` (see its `MIX`), requests
 *   exactly as supabase-js sends them; `--warmup` seconds unmeasured, then `--duration` measured. The
 *   functions server's RSS is sampled every second.
 *
 * Every row the load inserts carries a marker in its name and is deleted by the load itself; what is left
 * in flight at the end (and anything an interrupted run left behind) is deleted here, so runs do not
 * change the data the next run sees.
 *
 * Prints requests/s, p50/p99/max overall, per tenant and per kind of request, the errors (the first few
 * with their bodies), RSS after warm-up, at the end, its maximum and growth, and whether the targets are
 * met (0 errors; RSS growth < 10 % after warm-up); `--json` prints the same as JSON. Exits 1 when any
 * request failed (the requirement is 0 errors) or the run could not be carried out; a missed memory target
 * is reported, exit 0.
 *
 * @module
 */
import { defineCommand, runMain } from "citty";
import { loadAverage, positive } from "./_cli.ts";
import { APP_DATABASE, databaseUrl, type StackProfile } from "../scripts/stack/profile.ts";
import { accessToken, prepareBenchStack, stopBenchStack, withSql } from "./_fixture.ts";
import { buildLoadReport, formatLoadReport, type TenantInfo } from "./_load_report.ts";
import { servingPid } from "./_memory.ts";
import type { LoadTenant, MixedLoadConfig, MixedLoadResult } from "./mixed_load_client.ts";
import { exchangeLoad, spawnLoadClient } from "./_processes.ts";

/** The demo tenants under load and the users acting for them (docs/demo-ids.md). */
const LOAD_TENANTS = [
  { slug: "acme", user: { id: "b0000000-0000-4000-8000-000000000001", email: "alice@acme.test" } },
  { slug: "globex", user: { id: "b0000000-0000-4000-8000-000000000003", email: "grace@globex.test" } },
  { slug: "initech", user: { id: "b0000000-0000-4000-8000-000000000004", email: "ivan@initech.test" } },
] as const;

/** Names of the rows the load inserts start with this. */
const MARKER_PREFIX = "bench-load-";

/** The bench tenant `npm run bench` generates by default: asking for the same keeps it as it is. */
const BENCH_DATA = { rows: 100_000, seed: 1 } as const;

const command = defineCommand({
  meta: { name: "bench-load", description: "Sustained mixed load on the gateway: errors, latency, memory" },
  args: {
    duration: { type: "string", default: "60", description: "Measured seconds" },
    warmup: { type: "string", default: "10", description: "Unmeasured seconds of load before" },
    concurrency: { type: "string", default: "64", description: "Concurrent clients" },
    json: { type: "boolean", description: "Print the results as one JSON object" },
    "keep-stack": { type: "boolean", description: "Leave the bench stack running afterwards" },
  },
  async run({ args }) {
    const durationMs = positive(args.duration, "--duration") * 1000;
    const warmupMs = Math.max(0, Number(args.warmup)) * 1000;
    const concurrency = Math.round(positive(args.concurrency, "--concurrency"));
    const log = (line: string) => console.error(line);
    const startedAt = new Date();
    const loadBefore = await loadAverage();
    const bench = await prepareBenchStack({ ...BENCH_DATA, log });
    let client: Deno.ChildProcess | undefined;
    let cleaning: Promise<void> | undefined;
    const cleanUp = () =>
      cleaning ??= (async () => {
        try {
          client?.kill("SIGTERM");
        } catch {
          // it has exited already
        }
        await client?.status;
        if (!args["keep-stack"]) await stopBenchStack(bench);
      })();
    // Ctrl-C stops what the benchmark started, too.
    const interrupted = () => void cleanUp().finally(() => Deno.exit(130));
    Deno.addSignalListener("SIGINT", interrupted);
    try {
      const tenants = await loadTenants(bench.profile);
      const databases = [...new Set(tenants.map((t) => t.info.database))];
      const stale = await removeLoadRows(bench.profile, databases, MARKER_PREFIX);
      if (stale > 0) log(`bench:load: removed ${stale} rows an interrupted run left behind`);
      const lifetime = 3600 + (warmupMs + durationMs) / 1000;
      const serverPid = servingPid(bench.functionsPid);
      const marker = `${MARKER_PREFIX}${crypto.randomUUID().slice(0, 8)}`;
      const config: MixedLoadConfig = {
        base: `${bench.functionsUrl}/tenant-data`,
        anonKey: bench.anonKey,
        tenants: await Promise.all(
          tenants.map(async ({ info, userId, email, contactIds }): Promise<LoadTenant> => ({
            slug: info.slug,
            accessToken: await accessToken(bench, { id: userId, email }, lifetime),
            contactIds,
          })),
        ),
        concurrency,
        warmupMs,
        durationMs,
        marker,
        rssPid: serverPid,
      };
      log(
        `bench:load: ${concurrency} clients over ${tenants.map((t) => t.info.slug).join(", ")} for ${
          warmupMs / 1000
        } s warm-up + ${durationMs / 1000} s; functions server pid ${serverPid}`,
      );
      client = spawnLoadClient("mixed_load_client.ts");
      const result = await exchangeLoad<MixedLoadResult>(client, config);
      const rowsLeft = await removeLoadRows(bench.profile, databases, marker);
      const report = buildLoadReport(result, {
        startedAt,
        loadBefore,
        loadAfter: await loadAverage(),
        warmupMs,
        concurrency,
        tenants: tenants.map((t) => t.info),
        serverPid,
        rowsLeft,
      });
      console.log(args.json ? JSON.stringify(report, null, 2) : `\n${formatLoadReport(report)}`);
      if (report.errors.total > 0) Deno.exitCode = 1;
    } finally {
      Deno.removeSignalListener("SIGINT", interrupted);
      await cleanUp();
    }
  },
});

/** A tenant under load as the application and tenant databases see it. */
interface ResolvedTenant {
  info: TenantInfo;
  userId: string;
  email: string;
  contactIds: string[];
}

/**
 * Each load tenant's id, the user's role in it and the database of its data source (null: the default
 * one), from the application database; then the ids of its contacts, for the GETs by id.
 */
async function loadTenants(profile: StackProfile): Promise<ResolvedTenant[]> {
  const tenants: ResolvedTenant[] = [];
  for (const { slug, user } of LOAD_TENANTS) {
    const [found] = await withSql(
      databaseUrl(profile, APP_DATABASE),
      (sql) =>
        sql<{ id: string; role: string; database: string }[]>`
        select t.id, m.role,
               coalesce(ds.name, (select name from private.data_sources where is_default)) as database
        from public.tenants t
        join public.tenant_members m on m.tenant_id = t.id and m.user_id = ${user.id}
        left join private.data_sources ds on ds.id = t.data_source_id
        where t.slug = ${slug}`,
    );
    if (!found) {
      throw new Error(`${user.email} is not a member of the tenant ${slug}: is the demo seed there?`);
    }
    const contactIds = await withSql(databaseUrl(profile, found.database), (sql) =>
      sql<{ id: string }[]>`
        select id from public.contacts
        where tenant_id = ${found.id} and name not like ${`${MARKER_PREFIX}%`} order by id`
        .then((rows) => rows.map((row) => row.id)));
    if (contactIds.length === 0) throw new Error(`The tenant ${slug} has no contacts`);
    tenants.push({
      info: { slug, user: user.email, role: found.role, database: found.database },
      userId: user.id,
      email: user.email,
      contactIds,
    });
  }
  return tenants;
}

/** Deletes the contacts whose name starts with `prefix` (as the database owner); returns how many. */
async function removeLoadRows(profile: StackProfile, databases: string[], prefix: string): Promise<number> {
  let removed = 0;
  for (const database of databases) {
    removed += await withSql(databaseUrl(profile, database), async (sql) => {
      const result = await sql`delete from public.contacts where name like ${`${prefix}%`}`;
      return result.count;
    });
  }
  return removed;
}

await runMain(command);
