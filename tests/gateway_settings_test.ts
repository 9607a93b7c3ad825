/**
 * End to end through the running functions with the real supabase-js: the settings PostgREST has and
 * Supabase users can send (`Prefer: handling`, `tx`, `max-affected`; CSV; `nulls=stripped`; EXPLAIN;
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

  // As PostgREST: every timezone= and max-affected= is a known preference, and so are tx=commit|rollback.
  const known = await gatewayFetch(stack, "/contacts?select=id&limit=1", {
    token,
    headers: { prefer: "handling=strict, timezone=UTC, max-affected=x, tx=rollback" },
  });
  assert.equal(known.status, 200);
  assert.equal(known.headers.get("preference-applied"), "handling=strict");
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
    assert.deepEqual([enough.error, enough.data?.length], [null, expected.length]);
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
