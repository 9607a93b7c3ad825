/**
 * `npm run bench:app-db`: the application database at scale. Builds a scratch application database on the
 * bench cluster (`.local/bench/`, its own port; migrations as they are now) with 100,000 tenants, 1,000,000
 * memberships and the 1,100,000 audit entries their creation writes (`scripts/generate_app_scale.ts`), then
 * measures what reads it:
 *
 * - **tenant resolution on a cache miss**: the gateway's `TenantDirectory` (the code as it is), flushed
 *   before every call, resolving users drawn at random from those with memberships, and the busiest user;
 * - **every query the readers send**, each `--iterations` times, p50/p99: the directory's two queries, pages
 *   of `GET /tenants` / `tenant list`, a tenant admin's audit log through RLS, a user's tenants and
 *   co-members through RLS;
 * - each query's plan (`EXPLAIN`): the indexes it uses, and any sequential scan of a large table.
 *
 * The same queries and plan checks back `tests/app_db_scale_test.ts` (which asserts plans, never times).
 * Prints a table, or one JSON object with `--json`; the scratch database is dropped at the end (`--keep`
 * leaves it). Exits 0 whatever the figures: a benchmark reports, it does not assert.
 *
 * @module
 */
import { defineCommand, runMain } from "citty";
import postgres from "postgres";
import { createScratchDatabase } from "../functions/_shared/admin/testdata/helpers.ts";
import { queryTenants } from "../functions/_shared/control_plane/_tenant_query.ts";
import { generateKey, Keyring } from "../functions/_shared/crypto/mod.ts";
import { type Queryable, registerDataSource, registerKeys } from "../functions/_shared/data_sources/mod.ts";
import { TenantDirectory } from "../functions/_shared/tenancy/mod.ts";
import { generateAppScale } from "../scripts/generate_app_scale.ts";
import { databaseUrl, stackProfile } from "../scripts/stack/profile.ts";
import { startDatabase, stopStack } from "../scripts/stack/stack.ts";
import { loadAverage, positive } from "./_cli.ts";
import { percentile } from "./_stats.ts";

/** The directory's membership query (functions/_shared/tenancy/directory.ts), as it reaches the server. */
export const DIRECTORY_MEMBERSHIPS_SQL = `
        select t.id, t.slug, t.status, t.writes_frozen_at is not null as writes_frozen, t.data_source_id, m.role,
               (extract(epoch from t.writes_frozen_until - now()) * 1000)::float8 as frozen_remaining_ms,
               (extract(epoch from t.writes_frozen_at - now()) * 1000 + t.writes_freeze_expected_ms)::float8
                 as expected_remaining_ms
        from public.tenant_members m
        join public.tenants t on t.id = m.tenant_id
        where m.user_id = $1
        order by t.slug`;
/** The directory's data source query by id. */
export const DIRECTORY_DATA_SOURCE_SQL = `
          select id, name, kind, is_default, status, pool_max, aggregates_enabled, plan_enabled,
                 secret_ciphertext, secret_nonce, secret_key_id
          from private.data_sources
          where id = $1`;
/** The directory's default data source query. */
export const DIRECTORY_DEFAULT_DATA_SOURCE_SQL = `
          select id, name, kind, is_default, status, pool_max, aggregates_enabled, plan_enabled,
                 secret_ciphertext, secret_nonce, secret_key_id
          from private.data_sources
          where is_default`;

/** Tables large enough that a sequential scan of them is a bug at scale. */
export const LARGE_TABLES = ["tenants", "tenant_members", "audit_log", "users"] as const;

/** A query the application database answers, as its caller sends it. */
export interface AppDbQuery {
  name: string;
  text: string;
  params: unknown[];
  /** Run as this user (role `authenticated` with their claims, so RLS applies), else as a service login. */
  asUser?: string | undefined;
  /** Indexes the plan is expected to use (none for tiny tables, where a sequential scan is right). */
  indexes: string[];
  /** Large tables the plan may read whole, when that is as cheap as the index (see the busiest user). */
  mayScan?: string[];
}

/** The users, tenants and positions the queries are asked about. */
export interface AppDbSample {
  typicalUser: string;
  busiestUser: string;
  smallTenant: { id: string; owner: string };
  largeTenant: { id: string; owner: string };
  /** A slug in the middle of the list: a deep page starts after it. */
  middleSlug: string;
  dataSourceId: string;
}

/** One node of a plan. */
export interface PlanNode {
  nodeType: string;
  relation: string | undefined;
  index: string | undefined;
}

/** The queries `GET /tenants` runs, captured from the code that builds them. */
export async function tenantListQuery(filter: Parameters<typeof queryTenants>[1]): Promise<Captured> {
  return await captureQuery((tx) => queryTenants(tx, filter));
}

/** Every query of the readers, for a sample of the generated population. */
export async function appDbQueries(sample: AppDbSample): Promise<AppDbQuery[]> {
  const page = (name: string, filter: Parameters<typeof queryTenants>[1]) =>
    tenantListQuery(filter).then((q) => ({ name, ...q, indexes: ["tenants_slug_key"] }));
  const latestAudit = "select * from public.audit_log order by id desc limit 50";
  return [
    {
      name: "directory: memberships of a typical user",
      text: DIRECTORY_MEMBERSHIPS_SQL,
      params: [sample.typicalUser],
      indexes: ["tenant_members_user_id_idx", "tenants_pkey"],
    },
    {
      name: "directory: memberships of the busiest user",
      text: DIRECTORY_MEMBERSHIPS_SQL,
      params: [sample.busiestUser],
      // A user of ~2,700 tenants joins ~3 % of them: a hash join over one scan of tenants costs about what
      // 2,700 lookups of tenants_pkey do, and the planner picks either, by its sample of the statistics.
      indexes: ["tenant_members_user_id_idx"],
      mayScan: ["tenants"],
    },
    {
      name: "directory: a data source",
      text: DIRECTORY_DATA_SOURCE_SQL,
      params: [sample.dataSourceId],
      indexes: [],
    },
    {
      name: "directory: the default data source",
      text: DIRECTORY_DEFAULT_DATA_SOURCE_SQL,
      params: [],
      indexes: [],
    },
    await page("tenant list: first page (100)", { limit: 101 }),
    await page("tenant list: a page halfway (100)", { limit: 101, afterSlug: sample.middleSlug }),
    await page("tenant list: a page of 1,000", { limit: 1001, afterSlug: sample.middleSlug }),
    await page("tenant list: suspended, first page", { limit: 101, status: "suspended" }).then((q) => ({
      ...q,
      indexes: ["tenants_status_slug_idx"],
    })),
    await page("tenant list: on one data source", {
      limit: 101,
      dataSourceId: sample.dataSourceId,
      dataSourceNotDefault: true,
    }).then((q) => ({ ...q, indexes: ["tenants_data_source_id_idx"] })),
    {
      name: "audit log: latest 50, small tenant's owner (RLS)",
      text: latestAudit,
      params: [],
      asUser: sample.smallTenant.owner,
      indexes: ["audit_log_tenant_id_idx"],
    },
    {
      name: "audit log: latest 50, largest tenant's owner (RLS)",
      text: latestAudit,
      params: [],
      asUser: sample.largeTenant.owner,
      indexes: ["audit_log_tenant_id_idx"],
    },
    {
      name: "audit log: one tenant's latest 50 (RLS)",
      text: "select * from public.audit_log where tenant_id = $1 order by id desc limit 50",
      params: [sample.largeTenant.id],
      asUser: sample.largeTenant.owner,
      indexes: ["audit_log_tenant_id_idx"],
    },
    {
      name: "audit log: history of one tenant row",
      text:
        "select * from public.audit_log where entity = 'public.tenants' and entity_id = $1 order by id desc",
      params: [sample.largeTenant.id],
      indexes: ["audit_log_entity_idx"],
    },
    {
      name: "a user's tenants (RLS)",
      text: "select * from public.tenants order by slug",
      params: [],
      asUser: sample.busiestUser,
      indexes: ["tenants_pkey"],
    },
    {
      name: "a user's co-members (RLS)",
      text: "select * from public.tenant_members limit 1000",
      params: [],
      asUser: sample.smallTenant.owner,
      indexes: ["tenant_members_pkey"],
    },
  ];
}

/** Picks the users and tenants the queries are asked about. */
export async function appDbSample(sql: postgres.Sql): Promise<AppDbSample> {
  const [row] = await sql<{
    typical_user: string;
    busiest_user: string;
    small_id: string;
    small_owner: string;
    large_id: string;
    large_owner: string;
    middle_slug: string;
    data_source_id: string;
  }[]>`
    with sizes as (select tenant_id, count(*) as n from public.tenant_members group by tenant_id),
         small as (select tenant_id from sizes order by n, tenant_id limit 1),
         large as (select tenant_id from sizes order by n desc, tenant_id limit 1)
    select
      (select user_id from public.tenant_members group by user_id having count(*) = 3 order by user_id limit 1)
        as typical_user,
      (select user_id from public.tenant_members group by user_id order by count(*) desc, user_id limit 1)
        as busiest_user,
      (select tenant_id from small) as small_id,
      (select user_id from public.tenant_members where tenant_id = (select tenant_id from small) and role = 'owner'
       order by user_id limit 1) as small_owner,
      (select tenant_id from large) as large_id,
      (select user_id from public.tenant_members where tenant_id = (select tenant_id from large) and role = 'owner'
       order by user_id limit 1) as large_owner,
      (select slug from public.tenants order by slug offset (select count(*) / 2 from public.tenants) limit 1)
        as middle_slug,
      (select id from private.data_sources where not is_default order by name limit 1) as data_source_id`;
  if (!row) throw new Error("Cannot sample the population: it is empty");
  return {
    typicalUser: row.typical_user,
    busiestUser: row.busiest_user,
    smallTenant: { id: row.small_id, owner: row.small_owner },
    largeTenant: { id: row.large_id, owner: row.large_owner },
    middleSlug: row.middle_slug,
    dataSourceId: row.data_source_id,
  };
}

/** Runs `use` as the query's caller: in a transaction, as `authenticated` with the user's claims if any. */
async function asCaller<T>(
  sql: postgres.Sql,
  query: AppDbQuery,
  use: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  return await sql.begin(async (tx) => {
    if (query.asUser !== undefined) {
      const claims = JSON.stringify({ sub: query.asUser, role: "authenticated", aud: "authenticated" });
      await tx`select set_config('request.jwt.claims', ${claims}, true)`;
      await tx`set local role authenticated`;
    }
    return await use(tx);
  }) as T;
}

/** The plan of a query, as the nodes it is made of; `settings` are planner settings for its transaction. */
export async function explainQuery(
  sql: postgres.Sql,
  query: AppDbQuery,
  settings: Record<string, string> = {},
): Promise<PlanNode[]> {
  const rows = await asCaller(sql, query, async (tx) => {
    for (const [name, value] of Object.entries(settings)) {
      await tx`select set_config(${name}, ${value}, true)`;
    }
    return await tx.unsafe(
      `explain (format json) ${query.text}`,
      query.params as postgres.ParameterOrJSON<never>[],
    );
  });
  const plan = (rows[0] as unknown as { "QUERY PLAN": { Plan: RawPlan }[] })["QUERY PLAN"][0]!.Plan;
  const nodes: PlanNode[] = [];
  const walk = (node: RawPlan) => {
    nodes.push({ nodeType: node["Node Type"], relation: node["Relation Name"], index: node["Index Name"] });
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(plan);
  return nodes;
}

/** What is wrong with a plan: sequential scans of large tables, expected indexes not used. */
export function planProblems(query: AppDbQuery, nodes: PlanNode[]): string[] {
  const problems: string[] = [];
  for (const node of nodes) {
    const relation = node.relation ?? "";
    if (
      node.nodeType === "Seq Scan" && (LARGE_TABLES as readonly string[]).includes(relation) &&
      !query.mayScan?.includes(relation)
    ) {
      problems.push(`sequential scan of ${node.relation}`);
    }
  }
  for (const index of query.indexes) {
    if (!nodes.some((node) => node.index === index)) problems.push(`does not use ${index}`);
  }
  return problems;
}

/** How a plan reads its tables, in one line: `Index Only Scan tenant_members_user_id_idx, …`. */
export function describePlan(nodes: PlanNode[]): string {
  return nodes
    .filter((node) => node.relation !== undefined || node.index !== undefined)
    .map((node) => `${node.nodeType} ${node.index ?? node.relation}`)
    .join(", ");
}

interface RawPlan {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: RawPlan[];
}

/** A query's text and parameters, as postgres.js would send them. */
export interface Captured {
  text: string;
  params: unknown[];
}

interface Fragment {
  strings: TemplateStringsArray;
  values: unknown[];
}

/**
 * Captures the query a function sends through postgres.js's tagged template, without a database: `build`
 * gets a stand-in `tx` whose queries answer `[]`; nested fragments (`tx\`limit ${n}\``) are inlined.
 */
export async function captureQuery(build: (tx: Queryable) => Promise<unknown>): Promise<Captured> {
  let sent: Fragment | undefined;
  const tx = (strings: TemplateStringsArray, ...values: unknown[]) => {
    const fragment: Fragment & PromiseLike<unknown[]> = {
      strings,
      values,
      then(resolve, reject) {
        sent = fragment;
        return Promise.resolve([]).then(resolve, reject);
      },
    };
    return fragment;
  };
  await build(tx as unknown as Queryable);
  if (sent === undefined) throw new Error("Cannot capture the query: none was sent");
  const params: unknown[] = [];
  const render = (fragment: Fragment): string =>
    fragment.strings.reduce((text, part, i) => {
      if (i === 0) return part;
      const value = fragment.values[i - 1];
      if (typeof value === "object" && value !== null && "strings" in value) {
        return text + render(value as Fragment) + part;
      }
      params.push(value);
      return `${text}$${params.length}${part}`;
    }, "");
  return { text: render(sent), params };
}

/** Milliseconds of each of `iterations` runs of a query (after one unmeasured run). */
async function timeQuery(sql: postgres.Sql, query: AppDbQuery, iterations: number): Promise<number[]> {
  const times: number[] = [];
  const params = query.params as postgres.ParameterOrJSON<never>[];
  await asCaller(sql, query, (tx) => tx.unsafe(query.text, params));
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await asCaller(sql, query, (tx) => tx.unsafe(query.text, params));
    times.push(performance.now() - started);
  }
  return times;
}

/** Builds the scratch database: data sources (sealed with a fresh key) and the generated population. */
export async function buildScaleDatabase(
  adminUrl: string,
  options: { tenants: number; memberships: number; dataSources: number; log: (line: string) => void },
) {
  const scratch = await createScratchDatabase(adminUrl, { applicationSchema: true });
  const sql = postgres(scratch.url, { max: 1, onnotice: () => {} });
  try {
    const keyring = await Keyring.fromKeys([generateKey()]);
    await registerKeys(sql, keyring);
    const dataSourceIds: string[] = [];
    for (let i = 0; i < options.dataSources; i++) {
      const { id } = await registerDataSource(sql, keyring, {
        name: `scale_${String(i).padStart(2, "0")}`,
        kind: "postgres",
        credentials: { url: `postgresql://tenant:secret@127.0.0.1:1/scale_${i}` },
        isDefault: i === 0,
        poolMax: 5,
      });
      if (i > 0) dataSourceIds.push(id);
    }
    options.log(`app-db: generating ${options.tenants} tenants and ${options.memberships} memberships…`);
    const population = await generateAppScale(sql, {
      tenants: options.tenants,
      memberships: options.memberships,
      dataSourceIds,
      log: (line) => options.log(`app-db: ${line}`),
    });
    return { scratch, sql, keyring, population };
  } catch (error) {
    await sql.end();
    await scratch.drop();
    throw error;
  }
}

/**
 * Milliseconds the server spent on each of `iterations` runs (planning and execution, from
 * `EXPLAIN (ANALYZE, TIMING OFF)`): the query's own cost, without the client's and the scheduler's share,
 * which on a busy machine is most of a round trip.
 */
async function serverTimes(sql: postgres.Sql, query: AppDbQuery, iterations: number): Promise<number[]> {
  const times: number[] = [];
  const params = query.params as postgres.ParameterOrJSON<never>[];
  for (let i = 0; i < iterations; i++) {
    const rows = await asCaller(
      sql,
      query,
      (tx) => tx.unsafe(`explain (analyze, timing off, format json) ${query.text}`, params),
    );
    const [result] = (rows[0] as unknown as { "QUERY PLAN": Record<string, number>[] })["QUERY PLAN"];
    times.push((result?.["Planning Time"] ?? 0) + (result?.["Execution Time"] ?? 0));
  }
  return times;
}

/** Statistics of a list of milliseconds. */
function summary(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return {
    n: sorted.length,
    p50_ms: round(percentile(sorted, 50)),
    p99_ms: round(percentile(sorted, 99)),
    max_ms: round(sorted.at(-1) ?? NaN),
  };
}

const command = defineCommand({
  meta: {
    name: "bench:app-db",
    description: "The application database at 100,000 tenants and 1,000,000 members",
  },
  args: {
    tenants: { type: "string", default: "100000", description: "Tenants to generate" },
    memberships: { type: "string", default: "1000000", description: "Memberships to generate" },
    users: {
      type: "string",
      default: "2000",
      description: "Users resolved through the directory (cache miss)",
    },
    iterations: { type: "string", default: "200", description: "Runs of each query" },
    json: { type: "boolean", description: "Print the results as one JSON object" },
    keep: { type: "boolean", description: "Keep the scratch database and the bench cluster running" },
  },
  async run({ args }) {
    const log = (line: string) => console.error(line);
    const tenants = Math.round(positive(args.tenants, "--tenants"));
    const memberships = Math.round(positive(args.memberships, "--memberships"));
    const users = Math.round(positive(args.users, "--users"));
    const iterations = Math.round(positive(args.iterations, "--iterations"));
    const loadBefore = await loadAverage();
    const profile = stackProfile("bench");
    await startDatabase(profile);
    const built = await buildScaleDatabase(databaseUrl(profile, "postgres"), {
      tenants,
      memberships,
      dataSources: 21,
      log,
    });
    const { scratch, sql, keyring, population } = built;
    log(`app-db: built in ${population.elapsedMs} ms (${scratch.name})`);
    try {
      // Tenant resolution on a cache miss, through the gateway's own directory.
      const directory = new TenantDirectory({ databaseUrl: scratch.url, keyring, listen: false });
      const drawn = await sql<{ user_id: string }[]>`
        select user_id from (select distinct user_id from public.tenant_members) u
        order by md5(user_id::text) limit ${users}`;
      const resolve = async (userId: string) => {
        directory.flush();
        const started = performance.now();
        const memberships = await directory.memberships(userId);
        const first = memberships[0];
        if (first === undefined) throw new Error("A drawn user has no membership");
        await directory.dataSource(first.dataSourceId);
        return performance.now() - started;
      };
      await resolve(drawn[0]!.user_id);
      const resolution: number[] = [];
      for (const { user_id } of drawn) resolution.push(await resolve(user_id));
      const busiest: number[] = [];
      for (let i = 0; i < 50; i++) busiest.push(await resolve(population.busiestUser.id));
      await directory.close();
      // The membership query's own time on the server, for the same users.
      const membershipServer: number[] = [];
      for (const { user_id } of drawn) {
        const query = { name: "", text: DIRECTORY_MEMBERSHIPS_SQL, params: [user_id], indexes: [] };
        membershipServer.push(...await serverTimes(sql, query, 1));
      }

      const sample = await appDbSample(sql);
      const queries = [];
      for (const query of await appDbQueries(sample)) {
        const nodes = await explainQuery(sql, query);
        const server = summary(await serverTimes(sql, query, iterations));
        queries.push({
          name: query.name,
          ...summary(await timeQuery(sql, query, iterations)),
          server_p50_ms: server.p50_ms,
          server_p99_ms: server.p99_ms,
          plan: describePlan(nodes),
          problems: planProblems(query, nodes),
        });
      }
      const result = {
        population: {
          tenants: population.tenants,
          memberships: population.memberships,
          users_with_memberships: population.users,
          audit_entries: population.auditEntries,
          busiest_user_memberships: population.busiestUser.memberships,
          largest_tenant_members: population.largestTenant.members,
          build_ms: population.elapsedMs,
        },
        resolution_cache_miss: summary(resolution),
        resolution_cache_miss_busiest_user: summary(busiest),
        membership_query_server: summary(membershipServer),
        queries,
        load_average: { before: loadBefore, after: await loadAverage() },
      };
      if (args.json) {
        console.log(JSON.stringify(result, null, 2));
      } else {
        const p = result.population;
        console.log(
          `Population: ${p.tenants} tenants, ${p.memberships} memberships, ${p.users_with_memberships} users ` +
            `with memberships (the busiest in ${p.busiest_user_memberships} tenants; the largest tenant has ` +
            `${p.largest_tenant_members} members), ${p.audit_entries} audit entries; built in ${p.build_ms} ms`,
        );
        const r = result.resolution_cache_miss;
        const b = result.resolution_cache_miss_busiest_user;
        console.log(
          `Tenant resolution on a cache miss (TenantDirectory, ${r.n} users): p50 ${r.p50_ms} ms, ` +
            `p99 ${r.p99_ms} ms, max ${r.max_ms} ms; busiest user: p50 ${b.p50_ms} ms, p99 ${b.p99_ms} ms`,
        );
        const m = result.membership_query_server;
        console.log(
          `The membership query on the server (planning + execution, same users): p50 ${m.p50_ms} ms, ` +
            `p99 ${m.p99_ms} ms, max ${m.max_ms} ms`,
        );
        console.log(`\nQueries (${iterations} runs each; round trip, then server time):`);
        const ms = (value: number) => `${value.toFixed(2).padStart(8)} ms`;
        for (const q of queries) {
          console.log(
            `  ${q.name.padEnd(52)} p50 ${ms(q.p50_ms)} p99 ${ms(q.p99_ms)} | server p50 ${
              ms(q.server_p50_ms)
            } ` +
              `p99 ${ms(q.server_p99_ms)}  ${q.plan}${
                q.problems.length ? `  PROBLEMS: ${q.problems.join("; ")}` : ""
              }`,
          );
        }
        console.log(
          `\nLoad average before ${loadBefore.join(" ")}, after ${result.load_average.after.join(" ")}`,
        );
      }
    } finally {
      await sql.end();
      if (args.keep) {
        log(`app-db: kept database ${scratch.name} on the bench cluster (port ${profile.pgPort}), running`);
      } else {
        await scratch.drop();
        await stopStack(profile);
      }
    }
  },
});

if (import.meta.main) await runMain(command);
