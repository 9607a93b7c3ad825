/**
 * End to end through the running functions with the real supabase-js: the settings PostgREST has and
 * Supabase users can send (`Prefer: handling`, `tx`, `max-affected`, `timezone`; CSV; `nulls=stripped`; EXPLAIN;
 * `count=planned`), each answer compared with SQL as that tenant and with PostgREST 12's documented one.
 * The same answers for a `supabase`-kind data source are in `gateway_supabase_test.ts`.
 */
import assert from "node:assert/strict";
import { adminSql, gatewayClient, gatewayFetch, sqlAsTenant, TENANTS, USERS, userToken } from "./_clients.ts";
import { testStack } from "./_env.ts";

const stack = testStack();
const token = await userToken(stack, USERS.grace);
const globex = gatewayClient(stack, token);
const asGlobex = { sub: USERS.grace.id, tenant_id: TENANTS.globex, tenant_role: "owner" };
const shared = stack.tenantDbUrls.tenant_shared;
const SOYLENT = "10200000-0000-4000-8000-000000000001";
const RUN = `settings-${crypto.randomUUID().slice(0, 8)}`;

type Row = Record<string, unknown>;

/** supabase-js 2's `maxAffected()` is typed for PostgREST 13 clients only; the gateway answers it. */
function maxAffected<T>(builder: T, rows: number): T {
  return (builder as unknown as { maxAffected(rows: number): T }).maxAffected(rows);
}

async function removeTasks(): Promise<void> {
  await adminSql(shared, (sql) => sql`delete from public.tasks where title like ${RUN + "%"}`);
}

Deno.test("settings: handling=strict refuses unknown preferences with PostgREST's PGRST122; lenient ignores them", async () => {
  const strict = await gatewayFetch(stack, "/contacts?select=id&limit=1", {
    token,
    headers: { prefer: "handling=strict, foo, count=exact, bar" },
  });
  assert.equal(strict.status, 400);
  assert.deepEqual(strict.json, {
    code: "PGRST122",
    message: "Invalid preferences given with handling=strict",
    details: "Invalid preferences: foo, bar",
    hint: null,
  });
  // A write with an unknown preference writes nothing.
  const write = await gatewayFetch(stack, "/tasks", {
    token,
    method: "POST",
    headers: { prefer: "handling=strict, return=representation, anything" },
    body: { title: `${RUN} strict`, account_id: SOYLENT },
  });
  assert.equal(write.status, 400);
  assert.equal((write.json as Row).code, "PGRST122");
  const written = await adminSql(
    shared,
    (sql) => sql`select 1 from public.tasks where title like ${RUN + "%"}`,
  );
  assert.equal(written.length, 0);

  const lenient = await gatewayFetch(stack, "/contacts?select=id&limit=1", {
    token,
    headers: { prefer: "handling=lenient, foo, count=exact" },
  });
  assert.equal(lenient.status, 206);
  assert.equal(lenient.headers.get("preference-applied"), "count=exact, handling=lenient");

  // As PostgREST: every max-affected= is a known preference, and so are tx=commit|rollback and a time zone
  // the server has.
  const known = await gatewayFetch(stack, "/contacts?select=id&limit=1", {
    token,
    headers: { prefer: "handling=strict, timezone=UTC, max-affected=x, tx=rollback" },
  });
  assert.equal(known.status, 200);
  assert.equal(known.headers.get("preference-applied"), "handling=strict, timezone=UTC");
});

Deno.test("settings: Prefer timezone= sets the transaction's time zone when the server has it, as PostgREST", async () => {
  const path = "/accounts?select=id,created_at&order=id&limit=3";
  const inZone = async (zone: string) =>
    JSON.parse(
      (await sqlAsTenant(shared, asGlobex, async (tx) => {
        await tx`select set_config('timezone', ${zone}, true)`;
        return await tx<{ body: string }[]>`
          select json_agg(a)::text as body from (select id, created_at from public.accounts order by id limit 3) a`;
      }))[0]!.body,
    );
  const tokyo = await gatewayFetch(stack, path, { token, headers: { prefer: "timezone=Asia/Tokyo" } });
  assert.equal(tokyo.status, 200);
  assert.equal(tokyo.headers.get("preference-applied"), "timezone=Asia/Tokyo");
  assert.deepEqual(tokyo.json, await inZone("Asia/Tokyo"));
  assert.match((tokyo.json as Row[])[0]!.created_at as string, /\+09:00$/);
  // The setting is the transaction's: the next request is in the server's zone again.
  const plain = await gatewayFetch(stack, path, { token });
  assert.deepEqual(plain.json, await inZone("UTC"));
  assert.notDeepEqual(plain.json, tokyo.json);
  // A zone the server does not have is ignored, or refused with handling=strict; nothing else passes.
  for (const zone of ["Mars/Olympus_Mons", "x'y", "UTC; select 1"]) {
    const ignored = await gatewayFetch(stack, path, { token, headers: { prefer: `timezone=${zone}` } });
    assert.equal(ignored.status, 200);
    assert.equal(ignored.headers.get("preference-applied"), null);
    assert.deepEqual(ignored.json, plain.json);
    const strict = await gatewayFetch(stack, path, {
      token,
      headers: { prefer: `handling=strict, timezone=${zone}` },
    });
    assert.equal(strict.status, 400);
    assert.deepEqual(strict.json, {
      code: "PGRST122",
      message: "Invalid preferences given with handling=strict",
      details: `Invalid preferences: timezone=${zone}`,
      hint: null,
    });
  }
  // supabase-js sends it as a header of its own on any call.
  const client = await globex.from("accounts").select("id,created_at").order("id").limit(3).setHeader(
    "Prefer",
    "timezone=America/Los_Angeles",
  );
  assert.equal(client.error, null);
  assert.deepEqual(client.data, await inZone("America/Los_Angeles"));
});

Deno.test("settings: Preference-Applied lists what each action acts on, in PostgREST's order", async () => {
  try {
    const read = await gatewayFetch(stack, "/contacts?select=id&limit=1", {
      token,
      headers: { prefer: "return=representation, count=exact, missing=default" },
    });
    assert.equal(
      read.headers.get("preference-applied"),
      "count=exact",
      "a read echoes no return= or missing=",
    );
    const insert = await gatewayFetch(stack, "/tasks?columns=title,account_id", {
      token,
      method: "POST",
      headers: { prefer: "handling=strict, count=exact, return=minimal, missing=default" },
      body: [{ title: `${RUN} applied`, account_id: SOYLENT }],
    });
    assert.equal(insert.status, 201);
    assert.equal(
      insert.headers.get("preference-applied"),
      "missing=default, return=minimal, count=exact, handling=strict",
    );
    const update = await gatewayFetch(stack, `/tasks?title=eq.${encodeURIComponent(`${RUN} applied`)}`, {
      token,
      method: "PATCH",
      headers: { prefer: "max-affected=5, handling=strict, return=representation" },
      body: { status: "done" },
    });
    assert.equal(update.status, 200);
    assert.equal(
      update.headers.get("preference-applied"),
      "return=representation, handling=strict, max-affected=5",
    );
    const lenient = await gatewayFetch(stack, `/tasks?title=eq.${encodeURIComponent(`${RUN} applied`)}`, {
      token,
      method: "DELETE",
      headers: { prefer: "max-affected=0" },
    });
    assert.equal(lenient.status, 204, "without handling=strict, max-affected is not applied");
    assert.equal(lenient.headers.get("preference-applied"), null);
  } finally {
    await removeTasks();
  }
});

Deno.test("settings: rollback() (Prefer: tx=rollback) is ignored as under Supabase's db-tx-end = commit", async () => {
  try {
    const { data, error, status } = await globex.from("tasks")
      .insert({ title: `${RUN} kept`, account_id: SOYLENT })
      .select("title")
      .rollback();
    assert.deepEqual([error, status, data], [null, 201, [{ title: `${RUN} kept` }]]);
    const stored = await sqlAsTenant(
      shared,
      asGlobex,
      (tx) => tx`select title from public.tasks where title = ${`${RUN} kept`}`,
    );
    assert.deepEqual(
      stored.map((row) => row.title),
      [`${RUN} kept`],
      "committed, as PostgREST with db-tx-end = commit",
    );
    const raw = await gatewayFetch(
      stack,
      "/tasks?select=title&title=eq." + encodeURIComponent(`${RUN} kept`),
      {
        token,
        headers: { prefer: "tx=rollback, handling=strict" },
      },
    );
    assert.equal(raw.status, 200);
    assert.equal(raw.headers.get("preference-applied"), "handling=strict", "tx= is not applied");
  } finally {
    await removeTasks();
  }
});

Deno.test("settings: maxAffected() bounds writes (PGRST124, rolled back) and set-returning functions; PGRST128 otherwise", async () => {
  try {
    await globex.from("tasks").insert([
      { title: `${RUN} max a`, account_id: SOYLENT },
      { title: `${RUN} max b`, account_id: SOYLENT },
    ]).throwOnError();
    const refused = await maxAffected(
      globex.from("tasks").update({ status: "done" }).like("title", `${RUN}*`),
      1,
    );
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.error, {
      code: "PGRST124",
      message: "Query result exceeds max-affected preference constraint",
      details: "The query affects 2 rows",
      hint: null,
    });
    const statuses = await sqlAsTenant(
      shared,
      asGlobex,
      (tx) => tx`select status from public.tasks where title like ${RUN + "%"}`,
    );
    assert.deepEqual(statuses.map((row) => row.status), ["todo", "todo"], "rolled back");
    const removed = await maxAffected(
      globex.from("tasks").delete().like("title", `${RUN}*`).select("title"),
      2,
    );
    assert.deepEqual([removed.error, removed.data?.length], [null, 2]);

    // A function returning a set: the rows it returns are what is bounded.
    const expected = await sqlAsTenant(
      shared,
      asGlobex,
      (tx) => tx`select id from public.search_contacts('manager')`,
    );
    assert.ok(expected.length > 1);
    const tooMany = await maxAffected(globex.rpc("search_contacts", { query: "manager" }), 1);
    assert.deepEqual([tooMany.status, tooMany.error?.code, tooMany.error?.details], [
      400,
      "PGRST124",
      `The query affects ${expected.length} rows`,
    ]);
    const enough = await maxAffected(
      globex.rpc("search_contacts", { query: "manager" }).select("id"),
      expected.length,
    );
    assert.deepEqual([enough.error, (enough.data as unknown[] | null)?.length], [null, expected.length]);
    // A function returning one value cannot be bounded: PostgREST's PGRST128.
    const scalar = await maxAffected(globex.rpc("contact_count"), 10);
    assert.equal(scalar.status, 400);
    assert.deepEqual(scalar.error, {
      code: "PGRST128",
      message:
        "Function must return SETOF or TABLE when max-affected preference is used with handling=strict",
      details: null,
      hint: null,
    });
  } finally {
    await removeTasks();
  }
});

Deno.test("settings: csv() is PostgREST's CSV (header, record quoting, nulls empty), as SQL formats the rows", async () => {
  try {
    await globex.from("tasks").insert([
      { title: `${RUN} "quoted", comma`, account_id: SOYLENT, description: null },
      { title: `${RUN} plain`, account_id: SOYLENT, description: "two\nlines" },
    ]).throwOnError();
    const { data, error, status } = await globex.from("tasks").select("title, description, priority")
      .like("title", `${RUN}*`).order("title").csv();
    assert.deepEqual([error, status], [null, 200]);
    assert.equal(
      data,
      `title,description,priority\n"${RUN} ""quoted"", comma",,normal\n"${RUN} plain","two\nlines",normal`,
    );
    const lines = await sqlAsTenant(
      shared,
      asGlobex,
      (tx) =>
        tx`select substring(t::text, 2, length(t::text) - 2) as line
           from (select title, description, priority from public.tasks where title like ${
          RUN + "%"
        } order by title) t`,
    );
    assert.equal(data, ["title,description,priority", ...lines.map((row) => row.line)].join("\n"));
    // A function's rows too.
    const called = await globex.rpc("search_contacts", { query: "manager" }).select("name, email").order(
      "name",
    )
      .csv();
    const callLines = await sqlAsTenant(
      shared,
      asGlobex,
      (tx) =>
        tx`select substring(t::text, 2, length(t::text) - 2) as line
           from (select name, email from public.search_contacts('manager') order by name) t`,
    );
    assert.deepEqual([called.error, called.data], [
      null,
      ["name,email", ...callLines.map((row) => row.line)].join("\n"),
    ]);
    const empty = await gatewayFetch(stack, "/tasks?select=title&title=eq.none", {
      token,
      headers: { accept: "text/csv" },
    });
    assert.deepEqual([empty.status, empty.text, empty.headers.get("content-type")], [
      200,
      "\n",
      "text/csv; charset=utf-8",
    ]);
  } finally {
    await removeTasks();
  }
});

Deno.test("settings: stripNulls() drops null keys from arrays and single objects", async () => {
  try {
    await globex.from("tasks").insert({ title: `${RUN} strip`, account_id: SOYLENT }).throwOnError();
    const many = await globex.from("tasks").select("title, description").eq("title", `${RUN} strip`)
      .stripNulls();
    assert.deepEqual([many.error, many.data], [null, [{ title: `${RUN} strip` }]]);
    const one = await globex.from("tasks").select("title, description").eq("title", `${RUN} strip`).single()
      .stripNulls();
    assert.deepEqual([one.error, one.data], [null, { title: `${RUN} strip` }]);
    const raw = await gatewayFetch(
      stack,
      `/tasks?select=title,description&title=eq.${encodeURIComponent(`${RUN} strip`)}`,
      {
        token,
        headers: { accept: "application/vnd.pgrst.array+json;nulls=stripped" },
      },
    );
    assert.deepEqual(raw.json, [{ title: `${RUN} strip` }]);
  } finally {
    await removeTasks();
  }
});

Deno.test("settings: explain() is refused with PostgREST's 406 PGRST107 (db-plan-enabled is off in Supabase)", async () => {
  const text = await globex.from("contacts").select("id").explain();
  assert.equal(text.status, 406);
  assert.deepEqual(text.error, {
    code: "PGRST107",
    message:
      'None of these media types are available: application/vnd.pgrst.plan+text; for="application/json"',
    details: null,
    hint: null,
  });
  const json = await globex.from("contacts").select("id").explain({ analyze: true, format: "json" });
  assert.equal(json.status, 406);
  assert.equal(
    json.error?.message,
    'None of these media types are available: application/vnd.pgrst.plan+json; for="application/json"; options=analyze',
  );
});

Deno.test("settings: HEAD with count=planned or estimated answers 206 with the count in Content-Range, as SQL counts", async () => {
  const [{ n }] = await sqlAsTenant(
    shared,
    asGlobex,
    (tx) => tx`select count(*)::int as n from public.contacts`,
  ) as [
    { n: number },
  ];
  assert.ok(n > 2);
  for (const count of ["planned", "estimated"] as const) {
    const { error, status, count: total } = await globex.from("contacts").select("*", { count, head: true })
      .limit(2);
    assert.deepEqual([error, status, total], [null, 206, n]);
    const raw = await gatewayFetch(stack, "/contacts?select=id&limit=2", {
      token,
      method: "HEAD",
      headers: { prefer: `count=${count}` },
    });
    assert.deepEqual([raw.status, raw.headers.get("content-range"), raw.text], [206, `0-1/${n}`, ""]);
  }
});

/**
 * Turns the PostgREST settings of the data source `tenant_shared` (globex's) on for `use`, and off again.
 * The gateway hears the change (NOTIFY); `ready` is polled until the new setting is in force.
 */
async function withSettings(
  settings: { aggregates_enabled: boolean; plan_enabled: boolean },
  use: () => Promise<void>,
): Promise<void> {
  const set = async (values: typeof settings, inForce: () => Promise<boolean>) => {
    await adminSql(
      stack.appDbUrl,
      (sql) =>
        sql`update private.data_sources set aggregates_enabled = ${values.aggregates_enabled},
            plan_enabled = ${values.plan_enabled} where name = 'tenant_shared'`,
    );
    for (let attempt = 0; !(await inForce()); attempt++) {
      assert.ok(attempt < 100, "the gateway did not pick up the data source's settings in 10 s");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const aggregatesOn = async () => (await globex.from("contacts").select("count()")).status === 200;
  const planOn = async () => (await globex.from("contacts").select("id").explain()).status === 200;
  await set(
    settings,
    async () =>
      (await aggregatesOn()) === settings.aggregates_enabled && (await planOn()) === settings.plan_enabled,
  );
  try {
    await use();
  } finally {
    await set(
      { aggregates_enabled: false, plan_enabled: false },
      async () => !(await aggregatesOn()) && !(await planOn()),
    );
  }
}

Deno.test("settings: aggregates are PGRST123 by default, as in Supabase; the legacy bare count is allowed", async () => {
  for (const select of ["count()", "account_id, count()", "amount.sum()", "amount.avg()", "amount.max()"]) {
    const { status, error } = await globex.from("opportunities").select(select);
    assert.equal(status, 400, select);
    assert.deepEqual(error, {
      code: "PGRST123",
      message: "Use of aggregate functions is not allowed",
      details: null,
      hint: null,
    });
  }
  const legacy = await globex.from("accounts").select("name, contacts(count)").eq("id", SOYLENT).single();
  const [{ n }] = await sqlAsTenant(
    shared,
    asGlobex,
    (tx) => tx`select count(*)::int as n from public.contacts where account_id = ${SOYLENT}`,
  ) as [{ n: number }];
  assert.deepEqual([legacy.error, (legacy.data as { contacts: unknown } | null)?.contacts], [null, [{
    count: n,
  }]]);
});

Deno.test("settings: aggregates turned on for a data source group by the other columns, as SQL does", async () => {
  await withSettings({ aggregates_enabled: true, plan_enabled: false }, async () => {
    const { data, error } = await globex.from("opportunities")
      .select(
        "stage_id, total:amount.sum(), average:amount.avg()::text, n:count(), largest:amount.max(), smallest:amount.min()",
      )
      .order("stage_id");
    assert.equal(error, null);
    const expected = await sqlAsTenant(
      shared,
      asGlobex,
      (tx) =>
        tx`select stage_id, sum(amount) as total, avg(amount)::text as average, count(*)::int as n,
                  max(amount) as largest, min(amount) as smallest
           from public.opportunities group by stage_id order by stage_id`,
    );
    const numeric = (value: unknown) => value === null ? null : Number(value);
    assert.deepEqual(
      (data as Row[]).map((
        row,
      ) => [
        row.stage_id,
        numeric(row.total),
        numeric(row.average),
        row.n,
        numeric(row.largest),
        numeric(row.smallest),
      ]),
      expected.map((
        row,
      ) => [
        row.stage_id,
        numeric(row.total),
        numeric(row.average),
        row.n,
        numeric(row.largest),
        numeric(row.smallest),
      ]),
    );
    assert.ok(expected.length > 1);
    // Inside an embed: one row per account with its contacts counted.
    const embedded = await globex.from("accounts").select("name, contacts(n:count())").eq("id", SOYLENT)
      .single();
    const [{ n }] = await sqlAsTenant(
      shared,
      asGlobex,
      (tx) => tx`select count(*)::int as n from public.contacts where account_id = ${SOYLENT}`,
    ) as [{ n: number }];
    assert.deepEqual([embedded.error, (embedded.data as Row | null)?.contacts], [null, [{ n }]]);
    // An unknown column inside an aggregate is PostgREST's 42703 once aggregates are allowed.
    const unknown = await globex.from("contacts").select("nope.count()");
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.error, {
      code: "42703",
      message: "column contacts.nope does not exist",
      details: null,
      hint: null,
    });
  });
});

Deno.test("settings: aggregates with embedded resources and spreads group and hoist as PostgREST does", async () => {
  await withSettings({ aggregates_enabled: true, plan_enabled: false }, async () => {
    const byKey = (rows: readonly Row[]) =>
      rows.map((row) =>
        JSON.stringify(
          row,
          (_, value) => typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value,
        )
      )
        .sort();
    // An embed is a grouping column: the amount summed per account.
    const embedded = await globex.from("opportunities").select("total:amount.sum(), accounts(name)");
    assert.equal(embedded.error, null);
    const perAccount = await sqlAsTenant(
      shared,
      asGlobex,
      (tx) =>
        tx`select sum(o.amount) as total, json_build_object('name', a.name) as accounts
           from public.opportunities o left join public.accounts a on a.id = o.account_id group by a.id, a.name`,
    );
    assert.deepEqual(byKey(embedded.data as Row[]), byKey(perAccount));
    assert.ok(perAccount.length > 1);
    // A to-one spread's columns group like the parent's own.
    const spread = await globex.from("opportunities").select("total:amount.sum(), ...accounts(industry)");
    assert.equal(spread.error, null);
    const perIndustry = await sqlAsTenant(
      shared,
      asGlobex,
      (tx) =>
        tx`select sum(o.amount) as total, a.industry from public.opportunities o
           left join public.accounts a on a.id = o.account_id group by a.industry`,
    );
    assert.deepEqual(byKey(spread.data as Row[]), byKey(perIndustry));
    // Aggregates inside a spread are computed on the level it spreads into, count() too.
    const hoisted = await globex.from("accounts").select(
      "industry, ...contacts(n:count(), first:name.min())",
    );
    assert.equal(hoisted.error, null);
    const contactsPerIndustry = await sqlAsTenant(
      shared,
      asGlobex,
      (tx) =>
        tx`select a.industry, count(c.id)::int as n, min(c.name) as first from public.accounts a
           left join public.contacts c on c.account_id = a.id group by a.industry`,
    );
    assert.deepEqual(byKey(hoisted.data as Row[]), byKey(contactsPerIndustry));
    assert.ok(contactsPerIndustry.some((row) => (row.n as number) > 1));
    // A to-one spread that embeds a to-many groups by that list too (as jsonb: json has no equality).
    const nested = await globex.from("opportunities").select(
      "total:amount.sum(), ...accounts(industry, contacts(name))",
    );
    assert.equal(nested.error, null);
    const groups = (rows: readonly Row[]) =>
      rows.map((row) =>
        JSON.stringify([
          row.industry,
          row.names !== undefined
            ? row.names
            : (row.contacts as { name: string }[] | null)?.map((contact) => contact.name).sort() ?? null,
          Number(row.total),
        ])
      ).sort();
    const perIndustryAndContacts = await sqlAsTenant(
      shared,
      asGlobex,
      (tx) =>
        tx`select sum(amount) as total, industry, names from (
             select o.amount, a.industry, case when a.id is not null then
               array(select c.name from public.contacts c where c.account_id = a.id order by c.name) end as names
             from public.opportunities o left join public.accounts a on a.id = o.account_id) as s
           group by industry, names`,
    );
    assert.deepEqual(groups(nested.data as Row[]), groups(perIndustryAndContacts));
    assert.ok(perIndustryAndContacts.length > 1);
  });
});

Deno.test("settings: explain() turned on for a data source answers the plan as PostgREST does, under RLS", async () => {
  await withSettings({ aggregates_enabled: false, plan_enabled: true }, async () => {
    const text = await globex.from("contacts").select("id, name").eq("name", "x").explain();
    assert.equal(text.status, 200);
    assert.equal(typeof text.data, "string");
    assert.match(String(text.data), /contacts/);
    const raw = await gatewayFetch(stack, "/contacts?select=id", {
      token,
      headers: {
        accept: 'application/vnd.pgrst.plan+json; for="application/json"; options=analyze|verbose;',
      },
    });
    assert.equal(raw.status, 200);
    assert.equal(
      raw.headers.get("content-type"),
      'application/vnd.pgrst.plan+json; for="application/json"; charset=utf-8',
    );
    const [plan] = raw.json as [{ Plan: Row; "Execution Time"?: number }];
    assert.equal(typeof plan["Execution Time"], "number", "analyze ran the statement");
    // ANALYZE ran as the caller: the row count the plan saw is the tenant's, under RLS.
    const [{ n }] = await sqlAsTenant(
      shared,
      asGlobex,
      (tx) => tx`select count(*)::int as n from public.contacts`,
    ) as [
      { n: number },
    ];
    assert.match(JSON.stringify(plan), new RegExp(`"Actual Rows":${n}[,}]`));
    // An ANALYZE of a write runs it and keeps nothing.
    const write = await globex.from("tasks").insert({ title: `${RUN} explained`, account_id: SOYLENT })
      .explain({ analyze: true });
    assert.equal(write.status, 200);
    const kept = await adminSql(
      shared,
      (sql) => sql`select 1 from public.tasks where title = ${`${RUN} explained`}`,
    );
    assert.equal(kept.length, 0);
  });
});
