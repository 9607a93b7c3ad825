/**
 * Fills an application database (`supabase/`) with a large, deterministic population, set-based with
 * `generate_series` (no row-by-row round trips): users, tenants, memberships and the audit entries their
 * creation would have written. For the scale test (`tests/app_db_scale_test.ts`) and the benchmark
 * (`bench/app_db_scale.ts`): the plans and timings of the directory's queries, the tenant list and the
 * audit log's readers at 100,000 tenants and 1,000,000 memberships.
 *
 * The shape is long-tailed on both sides, like a SaaS:
 * - **tenant sizes**: a membership's tenant is `floor(tenants · r²)` for a uniform `r`, so the largest tenant
 *   has thousands of members and the smallest a handful; every tenant has one owner;
 * - **memberships per user**: a membership's user is `floor(users · r^1.5)`: most users belong to one or two
 *   tenants, a few (support staff, consultants) to a few hundred;
 * - every tenant's slug sorts apart from its creation order, and every tenant's audit entries are scattered
 *   across the log, as they are after years of use; one tenant in 100 is suspended, one in 10 routed to one
 *   of `dataSourceIds`.
 *
 * Runs as a superuser in one transaction with `session_replication_role = replica`: the per-row triggers
 * (audit, NOTIFY) and foreign-key checks are skipped, the rows are consistent by construction, and the
 * audit entries are written directly, in bulk. Ends with `vacuum analyze` of the tables, so the planner's
 * statistics and the visibility map are those of a database in service.
 *
 * Ids are `md5(<kind>:<seed>:<index>)` as uuids, so a run with the same seed makes the same rows; the
 * returned samples name users and tenants to query.
 *
 * @module
 */
import type postgres from "postgres";

/** Options of {@linkcode generateAppScale}. */
export interface GenerateAppScaleOptions {
  /** Tenants to create; default 100,000. */
  tenants?: number;
  /** Memberships to create in all (at least one per tenant, its owner); default 1,000,000. */
  memberships?: number;
  /** Users to draw members from; default a quarter of `memberships`. */
  users?: number;
  /** Data sources (ids) to route every tenth tenant to, round robin; the rest use the default one. */
  dataSourceIds?: readonly string[];
  /** Seed; the same seed gives the same rows. Default 1. */
  seed?: number;
  /** Told how long each step took (users, tenants, memberships, audit, vacuum). */
  log?: ((line: string) => void) | undefined;
}

/** What {@linkcode generateAppScale} made. */
export interface AppScaleResult {
  tenants: number;
  memberships: number;
  users: number;
  auditEntries: number;
  elapsedMs: number;
  /** The user with the most memberships, and how many. */
  busiestUser: { id: string; memberships: number };
  /** The tenant with the most members, and how many. */
  largestTenant: { id: string; slug: string; members: number };
}

/**
 * Generates the population into the database `sql` connects to (as a superuser, with the application
 * schema's migrations applied and no generated rows yet).
 *
 * @example
 * ```ts
 * const result = await generateAppScale(sql, { tenants: 100_000, memberships: 1_000_000 });
 * ```
 */
export async function generateAppScale(
  sql: postgres.Sql,
  options: GenerateAppScaleOptions = {},
): Promise<AppScaleResult> {
  const tenants = options.tenants ?? 100_000;
  const memberships = options.memberships ?? 1_000_000;
  const users = options.users ?? Math.max(1, Math.floor(memberships / 4));
  const seed = options.seed ?? 1;
  const dataSourceIds = [...(options.dataSourceIds ?? [])];
  if (memberships < tenants) throw new RangeError("Cannot generate: fewer memberships than tenants");
  if (memberships > tenants * users) throw new RangeError("Cannot generate: more memberships than pairs");
  const started = performance.now();
  let stepStarted = started;
  const step = (name: string) => {
    const now = performance.now();
    options.log?.(`${name}: ${Math.round(now - stepStarted)} ms`);
    stepStarted = now;
  };

  await sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await tx`set local work_mem = '256MB'`;
    await tx`select setseed(${1 / (seed + 1)})`;
    // Indexes that no constraint owns are built once after the load rather than row by row: a sort instead
    // of a million random inserts. Their definitions and comments are put back as they were.
    const deferred = await tx<{ name: string; definition: string; comment: string | null }[]>`
      select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition,
             obj_description(i.indexrelid, 'pg_class') as comment
      from pg_index i
      where i.indrelid in ('public.tenants'::regclass, 'public.tenant_members'::regclass, 'public.audit_log'::regclass)
        and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`;
    for (const index of deferred) await tx.unsafe(`drop index ${index.name}`);
    await tx`
      insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data,
                              created_at, updated_at)
      select '00000000-0000-0000-0000-000000000000', md5('user:' || ${seed}::int || ':' || i)::uuid,
             'authenticated', 'authenticated', 'scale-' || i || '@scale.test',
             '{"provider": "email"}', '{}', now(), now()
      from generate_series(0, ${users - 1}::int) as i`;
    step("users");
    await tx`
      insert into public.tenants (id, slug, name, status, data_source_id, created_at, updated_at)
      select md5('tenant:' || ${seed}::int || ':' || i)::uuid,
             left(md5('slug:' || i), 6) || '-scale-' || i,
             'Scale tenant ' || i,
             case when i % 100 = 37 then 'suspended' else 'active' end,
             case when i % 10 = 9 and cardinality(${dataSourceIds}::uuid[]) > 0
                  then (${dataSourceIds}::uuid[])[1 + (i / 10) % cardinality(${dataSourceIds}::uuid[])]
             end,
             now() - make_interval(secs => ${tenants}::int - i),
             now() - make_interval(secs => ${tenants}::int - i)
      from generate_series(0, ${tenants - 1}::int) as i`;
    step("tenants");
    // One owner per tenant, then the other memberships drawn long-tailed on both sides; duplicates of a
    // (tenant, user) pair are dropped and the draw is oversized so exactly `memberships` remain.
    await tx`
      create temporary table scale_pairs on commit drop as
      select g, t, u, role from (
        select g, t, u, role, row_number() over (partition by t, u order by g) as copy
        from (
          select i as g, i as t, floor(${users}::int * random())::int as u, 'owner' as role
          from generate_series(0, ${tenants - 1}::int) as i
          union all
          select ${tenants}::int + i,
                 floor(${tenants}::int * power(random(), 2))::int,
                 floor(${users}::int * power(random(), 1.5))::int,
                 (array['admin', 'member', 'member', 'member', 'viewer'])[1 + floor(5 * random())::int]
          from generate_series(0, ${Math.ceil((memberships - tenants) * 1.1) + 1000}::int) as i
        ) drawn
      ) unique_pairs
      where copy = 1`;
    step("membership draw");
    // In primary-key order, so the key's index grows at its end instead of at a million random places.
    await tx`
      insert into public.tenant_members (tenant_id, user_id, role, created_at, updated_at)
      select tenant_id, user_id, role, created_at, now()
      from (
        select md5('tenant:' || ${seed}::int || ':' || t)::uuid as tenant_id,
               md5('user:' || ${seed}::int || ':' || u)::uuid as user_id,
               role, now() - make_interval(secs => ${memberships}::int - g) as created_at
        from scale_pairs
        order by g
        limit ${memberships}::int
      ) chosen
      order by tenant_id, user_id`;
    step("memberships");
    // What the audit trigger would have recorded: every tenant's and every membership's creation, in the
    // order they were made (so one tenant's entries lie scattered over the log).
    await tx`
      insert into public.audit_log (occurred_at, actor_role, tenant_id, action, entity, entity_id, new)
      select occurred_at, 'service_role', tenant_id, 'insert', entity, entity_id, image
      from (
        select t.created_at as occurred_at, t.id as tenant_id, 'public.tenants' as entity, t.id::text as entity_id,
               jsonb_build_object('id', t.id, 'slug', t.slug, 'name', t.name, 'status', t.status) as image
        from public.tenants t
        union all
        select m.created_at, m.tenant_id, 'public.tenant_members',
               jsonb_build_array(m.tenant_id, m.user_id)::text,
               jsonb_build_object('tenant_id', m.tenant_id, 'user_id', m.user_id, 'role', m.role)
        from public.tenant_members m
      ) entries
      order by occurred_at`;
    step("audit entries");
    for (const index of deferred) {
      await tx.unsafe(index.definition);
      if (index.comment !== null) {
        await tx.unsafe(`comment on index ${index.name} is ${quoteLiteral(index.comment)}`);
      }
    }
    step("indexes");
  });
  for (const table of ["auth.users", "public.tenants", "public.tenant_members", "public.audit_log"]) {
    await sql.unsafe(`vacuum analyze ${table}`);
  }
  step("vacuum analyze");

  const [counts] = await sql<{ tenants: number; memberships: number; users: number; audit: number }[]>`
    select (select count(*)::int from public.tenants) as tenants,
           (select count(*)::int from public.tenant_members) as memberships,
           (select count(distinct user_id)::int from public.tenant_members) as users,
           (select count(*)::int from public.audit_log) as audit`;
  const [busiest] = await sql<{ id: string; n: number }[]>`
    select user_id as id, count(*)::int as n from public.tenant_members
    group by user_id order by n desc, user_id limit 1`;
  const [largest] = await sql<{ id: string; slug: string; n: number }[]>`
    select t.id, t.slug, count(*)::int as n from public.tenant_members m join public.tenants t on t.id = m.tenant_id
    group by t.id, t.slug order by n desc, t.id limit 1`;
  return {
    tenants: counts!.tenants,
    memberships: counts!.memberships,
    users: counts!.users,
    auditEntries: counts!.audit,
    elapsedMs: Math.round(performance.now() - started),
    busiestUser: { id: busiest!.id, memberships: busiest!.n },
    largestTenant: { id: largest!.id, slug: largest!.slug, members: largest!.n },
  };
}

/** A SQL string literal of catalog text (an index comment read back from the database itself). */
function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
