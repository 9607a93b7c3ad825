/**
 * End to end through the running functions: routing a tenant to its data source, and control-plane
 * changes taking effect while requests keep flowing. Each change is made in the application database
 * (SUPABASE_DB_URL) as an operator would, the gateway hears of it (LISTEN/NOTIFY), and a loop of
 * supabase-js requests shows when it applies: within a second, and without a failed request.
 *
 * Every change is undone in `finally`, timestamps included, so the seed is left as it was found; only
 * the append-only audit log keeps a record of the changes, as it must.
 */
import assert from "node:assert/strict";
import { adminSql, gatewayClient, sqlAsTenant, TENANTS, USERS, userToken } from "./_clients.ts";
import { testStack } from "./_env.ts";

const stack = testStack();
const alice = await userToken(stack, USERS.alice);
const grace = await userToken(stack, USERS.grace);
const olivia = await userToken(stack, USERS.olivia);
const RUN = `e2e-routing-${crypto.randomUUID().slice(0, 8)}`;
/** How soon a change must show: CONTRACT.md says a revoked membership stops working within a second. */
const WITHIN_MS = 1000;

/** One request of the loop: when it started (ms after the change committed), its status, its rows. */
interface Observation {
  since: number;
  /** Whether it had its answer before the change began: it must show the old state. */
  before: boolean;
  status: number;
  rows: Record<string, unknown>[] | null;
}

/** Options of {@linkcode observe}. */
interface ObserveOptions {
  /** Requests in flight at once; default 3. */
  concurrency?: number;
  /** How long to keep the loop going after the change, in ms; default 1,600. */
  after?: number;
}

/**
 * Runs `probe` in a loop while `change` is applied, and returns every request with its start time
 * relative to the moment `change` returned (its commit).
 */
async function observe(
  probe: () => Promise<{ status: number; data: unknown }>,
  change: () => Promise<unknown>,
  options: ObserveOptions = {},
): Promise<Observation[]> {
  const started: { at: number; end: number; status: number; rows: Record<string, unknown>[] | null }[] = [];
  let stop = false;
  const workers = Array.from({ length: options.concurrency ?? 3 }, async () => {
    while (!stop) {
      const at = performance.now();
      const { status, data } = await probe();
      started.push({ at, end: performance.now(), status, rows: Array.isArray(data) ? data : null });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  let committedAt = Number.NaN;
  const changeAt = performance.now();
  try {
    await change();
    committedAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, options.after ?? 1600));
  } finally {
    stop = true;
    await Promise.all(workers);
  }
  return started.map(({ at, end, status, rows }) => ({
    since: at - committedAt,
    before: end < changeAt,
    status,
    rows,
  }));
}

/**
 * Asserts the loop saw the old state before the change, only the new state from `WITHIN_MS` after it,
 * nothing else in between, and never a 5xx.
 */
function assertSwitched(
  observations: Observation[],
  isOld: (o: Observation) => boolean,
  isNew: (o: Observation) => boolean,
  label: string,
): void {
  const failures = observations.filter((o) => o.status >= 500);
  assert.deepEqual(failures, [], `${label}: requests failed during the change`);
  const strange = observations.filter((o) => !isOld(o) && !isNew(o));
  assert.deepEqual(strange.slice(0, 3), [], `${label}: answers that are neither the old nor the new state`);
  const before = observations.filter((o) => o.before);
  assert.ok(before.length > 0 && before.every(isOld), `${label}: the old state before the change`);
  const late = observations.filter((o) => o.since > WITHIN_MS);
  assert.ok(late.length >= 5, `${label}: the loop kept running after the change`);
  const stale = late.filter((o) => !isNew(o));
  assert.deepEqual(
    stale.map((o) => Math.round(o.since)),
    [],
    `${label}: requests started more than ${WITHIN_MS} ms after the change still saw the old state`,
  );
}

Deno.test("a tenant without a data source of its own is served by the default data source", async () => {
  const [routing] = await adminSql(
    stack.appDbUrl,
    (sql) =>
      sql`select t.data_source_id, (select name from private.data_sources where is_default) as default_name
        from public.tenants t where t.slug = 'globex'`,
  );
  assert.equal(routing?.data_source_id, null);
  assert.equal(routing?.default_name, "tenant_shared");

  const { data, error } = await gatewayClient(stack, grace).from("contacts").select("id").order("id");
  assert.equal(error, null);
  const expected = await sqlAsTenant(
    stack.tenantDbUrls.tenant_shared,
    { sub: USERS.grace.id, tenant_id: TENANTS.globex, tenant_role: "owner" },
    (tx) => tx`select id from public.contacts order by id`,
  );
  assert.ok(expected.length > 0);
  assert.deepEqual(data, expected.map((row) => ({ ...row })));
  const [inAcme] = await adminSql(
    stack.tenantDbUrls.tenant_acme,
    (sql) => sql`select count(*)::int as n from public.contacts where tenant_id = ${TENANTS.globex}`,
  );
  assert.equal(inAcme?.n, 0, "globex has no rows in the dedicated database");
});

Deno.test("pointing acme at the default data source and back takes effect within a second, no request failing", async () => {
  const [original] = await adminSql(
    stack.appDbUrl,
    (sql) =>
      sql<{ data_source_id: string; updated_at: string }[]>`
      select data_source_id, updated_at::text from public.tenants where slug = 'acme'`,
  );
  assert.ok(original?.data_source_id, "acme has a dedicated data source in the seed");
  const [own] = await adminSql(
    stack.tenantDbUrls.tenant_acme,
    (sql) => sql`select count(*)::int as n from public.accounts where tenant_id = ${TENANTS.acme}`,
  );
  const [inShared] = await adminSql(
    stack.tenantDbUrls.tenant_shared,
    (sql) => sql`select count(*)::int as n from public.accounts where tenant_id = ${TENANTS.acme}`,
  );
  assert.ok((own?.n ?? 0) > 0);
  assert.equal(inShared?.n, 0, "the shared database holds no acme rows");

  const client = gatewayClient(stack, alice);
  const probe = async () => await client.from("accounts").select("id, tenant_id");
  const dedicated = (o: Observation) =>
    o.status === 200 && o.rows?.length === own?.n &&
    (o.rows ?? []).every((row) => row.tenant_id === TENANTS.acme);
  const shared = (o: Observation) => o.status === 200 && o.rows?.length === 0;
  try {
    const away = await observe(
      probe,
      () =>
        adminSql(
          stack.appDbUrl,
          (sql) => sql`update public.tenants set data_source_id = null where slug = 'acme'`,
        ),
    );
    assertSwitched(away, dedicated, shared, "acme → default data source");

    const back = await observe(
      probe,
      () =>
        adminSql(
          stack.appDbUrl,
          (sql) =>
            sql`update public.tenants set data_source_id = ${original.data_source_id} where slug = 'acme'`,
        ),
    );
    assertSwitched(back, shared, dedicated, "acme → its dedicated data source");
  } finally {
    await adminSql(
      stack.appDbUrl,
      (sql) =>
        sql`update public.tenants set data_source_id = ${original.data_source_id}
          where slug = 'acme' and data_source_id is distinct from ${original.data_source_id}`,
    );
    await adminSql(stack.appDbUrl, async (sql) => {
      await sql.begin(async (tx) => {
        await tx`set local session_replication_role = replica`;
        await tx`update public.tenants set updated_at = ${original.updated_at}::text::timestamptz where slug = 'acme'`;
      });
    });
  }
  const after = await client.from("accounts").select("id");
  assert.equal(after.data?.length, own?.n);
});

Deno.test("revoking a membership takes effect within a second (403), and restoring it too", async () => {
  const [membership] = await adminSql(
    stack.appDbUrl,
    (sql) =>
      sql<{ tenant_id: string; user_id: string; role: string; created_at: string; updated_at: string }[]>`
      select tenant_id, user_id, role, created_at::text, updated_at::text from public.tenant_members where tenant_id = ${TENANTS.globex} and user_id = ${USERS.olivia.id}`,
  );
  assert.ok(membership, "olivia is a member of globex in the seed");
  const client = gatewayClient(stack, olivia, "globex");
  const probe = async () => await client.from("accounts").select("id, tenant_id");
  const member = (o: Observation) =>
    o.status === 200 && (o.rows?.length ?? 0) > 0 &&
    (o.rows ?? []).every((row) => row.tenant_id === TENANTS.globex);
  const refused = (o: Observation) => o.status === 403 && o.rows === null;
  const restore = () =>
    adminSql(
      stack.appDbUrl,
      (sql) =>
        sql`insert into public.tenant_members (tenant_id, user_id, role, created_at, updated_at)
          values (${membership.tenant_id}, ${membership.user_id}, ${membership.role},
                  ${membership.created_at}::text::timestamptz, ${membership.updated_at}::text::timestamptz)
          on conflict (tenant_id, user_id) do nothing`,
    );
  try {
    const revoked = await observe(
      probe,
      () =>
        adminSql(
          stack.appDbUrl,
          (sql) =>
            sql`delete from public.tenant_members where tenant_id = ${TENANTS.globex} and user_id = ${USERS.olivia.id}`,
        ),
    );
    assertSwitched(revoked, member, refused, "membership revoked");
    const refusal = await client.from("accounts").select("id");
    assert.equal(refusal.error?.code, "TR403");

    const restored = await observe(probe, restore);
    assertSwitched(restored, refused, member, "membership restored");
  } finally {
    await restore();
  }
  // Olivia's other membership was never affected.
  const acme = await gatewayClient(stack, olivia, "acme").from("accounts").select("tenant_id").limit(1);
  assert.deepEqual(acme.data, [{ tenant_id: TENANTS.acme }]);
});

Deno.test("demoting a member to viewer stops their writes within a second", async () => {
  const [membership] = await adminSql(stack.appDbUrl, (sql) =>
    sql<{ role: string; updated_at: string }[]>`
      select role, updated_at::text from public.tenant_members
      where tenant_id = ${TENANTS.globex} and user_id = ${USERS.olivia.id}`);
  assert.equal(membership?.role, "member");
  const client = gatewayClient(stack, olivia, "globex");
  let n = 0;
  const probe = async () =>
    await client.from("tasks").insert({
      title: `${RUN} ${n++}`,
      account_id: "10200000-0000-4000-8000-000000000001",
    })
      .select("id");
  const writes = (o: Observation) => o.status === 201 && o.rows?.length === 1;
  const refused = (o: Observation) => o.status === 403;
  try {
    const demoted = await observe(
      probe,
      () =>
        adminSql(stack.appDbUrl, (sql) =>
          sql`update public.tenant_members set role = 'viewer'
            where tenant_id = ${TENANTS.globex} and user_id = ${USERS.olivia.id}`),
      { concurrency: 2 },
    );
    assertSwitched(demoted, writes, refused, "member demoted to viewer");
  } finally {
    await adminSql(stack.appDbUrl, (sql) =>
      sql`update public.tenant_members set role = ${membership.role}
          where tenant_id = ${TENANTS.globex} and user_id = ${USERS.olivia.id} and role <> ${membership.role}`);
    await adminSql(stack.appDbUrl, async (sql) => {
      await sql.begin(async (tx) => {
        await tx`set local session_replication_role = replica`;
        await tx`update public.tenant_members set updated_at = ${membership.updated_at}::text::timestamptz
                 where tenant_id = ${TENANTS.globex} and user_id = ${USERS.olivia.id}`;
      });
    });
    await adminSql(
      stack.tenantDbUrls.tenant_shared,
      (sql) => sql`delete from public.tasks where title like ${`${RUN}%`}`,
    );
  }
});
