/**
 * End to end through the running functions with the real supabase-js: writes in the PostgREST language
 * (insert, upsert, update, delete, their `Prefer` options), each checked with SQL run directly in the
 * tenant database as that tenant, and the database's refusals answered with PostgREST's status and body.
 *
 * Every row a test writes carries the run's marker in a text column and is deleted in `finally`; the
 * last test checks that both tenant databases hold exactly the rows they held before.
 */
import assert from "node:assert/strict";
import {
  adminSql,
  databaseFingerprint,
  gatewayClient,
  gatewayFetch,
  sqlAsTenant,
  TENANTS,
  USERS,
  userToken,
} from "./_clients.ts";
import { testStack } from "./_env.ts";

const stack = testStack();
const grace = await userToken(stack, USERS.grace);
const alice = await userToken(stack, USERS.alice);
const olivia = await userToken(stack, USERS.olivia);
const globex = gatewayClient(stack, grace);
const asGlobex = { sub: USERS.grace.id, tenant_id: TENANTS.globex, tenant_role: "owner" };
const SHARED = stack.tenantDbUrls.tenant_shared;
const ACME_DB = stack.tenantDbUrls.tenant_acme;
const before = {
  shared: await databaseFingerprint(SHARED),
  acme: await databaseFingerprint(ACME_DB),
};

/** Marks this run's rows: names, titles and SKUs start with it. */
const RUN = `e2e-write-${crypto.randomUUID().slice(0, 8)}`;
const SOYLENT = "10200000-0000-4000-8000-000000000001";
const GLOBEX_PROSPECTING = "12200000-0000-4000-8000-000000000001";

type Row = Record<string, unknown>;

/** Deletes this run's rows from a tenant database, children first. */
async function cleanUp(url = SHARED): Promise<void> {
  await adminSql(url, async (sql) => {
    const like = `${RUN}%`;
    await sql`delete from public.notes where title like ${like} or body like ${like}`;
    await sql`delete from public.tasks where title like ${like}`;
    await sql`delete from public.events where name like ${like}`;
    await sql`delete from public.opportunities where name like ${like}`;
    await sql`delete from public.contacts where name like ${like}`;
    await sql`delete from public.products where name like ${like} or sku like ${like}`;
    await sql`delete from public.accounts where name like ${like}`;
  });
}

/** Rows of `table` whose `column` starts with this run's marker, as that tenant sees them, as JSON. */
async function rowsAs(
  table: string,
  column: string,
  options: { url?: string; claims?: typeof asGlobex } = {},
): Promise<Row[]> {
  const rows = await sqlAsTenant(
    options.url ?? SHARED,
    options.claims ?? asGlobex,
    (tx) =>
      tx<{ row: Row }[]>`
      select to_jsonb(t) as row from ${tx("public")}.${tx(table)} as t
      where ${tx(column)} like ${`${RUN}%`} order by ${tx(column)}`,
  );
  return rows.map((r) => r.row);
}

/** The row with this id, read as the database owner (no RLS): what really is there. */
async function rowById(table: string, id: string, url = SHARED): Promise<Row | undefined> {
  return await adminSql(url, async (sql) => {
    const [found] = await sql<{ row: Row }[]>`
      select to_jsonb(t) as row from ${sql("public")}.${sql(table)} as t where id = ${id}`;
    return found?.row;
  });
}

Deno.test("insert of one row answers 201 with the row, tenant_id and created_by taken from the claims", async () => {
  try {
    const { data, error, status } = await globex.from("accounts")
      .insert({ name: `${RUN} one`, account_type: "customer", tags: ["e2e", "ünïcødé"] })
      .select()
      .single();
    assert.equal(error, null);
    assert.equal(status, 201);
    assert.equal(data.tenant_id, TENANTS.globex);
    assert.equal(data.created_by, USERS.grace.id);
    assert.equal(data.currency, "USD");
    assert.deepEqual(data.tags, ["e2e", "ünïcødé"]);
    assert.deepEqual([data], await rowsAs("accounts", "name"));
    // An array column and list filters: each list travels as one string parameter.
    const found = await globex.from("accounts").select("id, tags").contains("tags", ["ünïcødé"])
      .in("name", [`${RUN} one`, `${RUN} {none}`]);
    assert.equal(found.error, null);
    assert.deepEqual(found.data, [{ id: data.id, tags: ["e2e", "ünïcødé"] }]);
  } finally {
    await cleanUp();
  }
});

Deno.test("a dedicated tenant's insert lands in its own database, never in the shared one", async () => {
  try {
    const { data, error, status } = await gatewayClient(stack, alice).from("accounts")
      .insert({ name: `${RUN} acme` }).select("id, tenant_id").single();
    assert.equal(error, null);
    assert.equal(status, 201);
    assert.equal(data.tenant_id, TENANTS.acme);
    const inAcme = await rowById("accounts", data.id, ACME_DB);
    assert.equal(inAcme?.tenant_id, TENANTS.acme);
    assert.equal(await rowById("accounts", data.id, SHARED), undefined);
  } finally {
    await cleanUp(ACME_DB);
    await cleanUp(SHARED);
  }
});

Deno.test("insert of many rows with columns writes the listed columns, absent keys as null", async () => {
  try {
    const { data, error, status } = await globex.from("products").insert([
      { name: `${RUN} p1`, sku: `${RUN}-1`, description: "first" },
      { name: `${RUN} p2`, sku: `${RUN}-2` },
      { name: `${RUN} p3`, sku: `${RUN}-3`, description: "third, with \"quotes\" and 'apostrophes'" },
    ]).select("name, sku, description, tenant_id");
    assert.equal(error, null);
    assert.equal(status, 201);
    assert.deepEqual(data, [
      { name: `${RUN} p1`, sku: `${RUN}-1`, description: "first", tenant_id: TENANTS.globex },
      { name: `${RUN} p2`, sku: `${RUN}-2`, description: null, tenant_id: TENANTS.globex },
      {
        name: `${RUN} p3`,
        sku: `${RUN}-3`,
        description: "third, with \"quotes\" and 'apostrophes'",
        tenant_id: TENANTS.globex,
      },
    ]);
    const rows = await rowsAs("products", "name");
    assert.deepEqual(rows.map((row) => row.description), ["first", null, data?.[2]?.description]);
  } finally {
    await cleanUp();
  }
});

Deno.test("keys of the body outside columns are ignored, tenant_id included", async () => {
  try {
    const response = await gatewayFetch(
      stack,
      "/products?columns=name,sku&select=name,sku,unit_price,tenant_id",
      {
        token: grace,
        method: "POST",
        headers: { prefer: "return=representation" },
        body: [{ name: `${RUN} cols`, sku: `${RUN}-cols`, unit_price: 99, tenant_id: TENANTS.initech }],
      },
    );
    assert.equal(response.status, 201, response.text);
    assert.deepEqual(response.json, [
      { name: `${RUN} cols`, sku: `${RUN}-cols`, unit_price: 0, tenant_id: TENANTS.globex },
    ]);
    const rows = await adminSql(SHARED, (sql) =>
      sql`select tenant_id, unit_price::float8 as price
      from public.products where sku = ${`${RUN}-cols`}`);
    assert.deepEqual(rows.map((row) => ({ ...row })), [{ tenant_id: TENANTS.globex, price: 0 }]);
  } finally {
    await cleanUp();
  }
});

Deno.test("without missing=default an absent NOT NULL key fails the whole insert with 400 (23502)", async () => {
  try {
    const { error, status } = await globex.from("products").insert([
      { name: `${RUN} priced`, sku: `${RUN}-priced`, unit_price: 5 },
      { name: `${RUN} unpriced`, sku: `${RUN}-unpriced` },
    ]);
    assert.equal(status, 400);
    assert.equal(error?.code, "23502");
    assert.match(error?.message ?? "", /unit_price/);
    assert.deepEqual(await rowsAs("products", "name"), []);
  } finally {
    await cleanUp();
  }
});

Deno.test("missing=default fills absent keys from the column defaults", async () => {
  try {
    const { data, error, status } = await globex.from("products").insert([
      { name: `${RUN} priced`, sku: `${RUN}-priced`, unit_price: 5, currency: "EUR" },
      { name: `${RUN} unpriced`, sku: `${RUN}-unpriced` },
    ], { defaultToNull: false }).select("name, unit_price, currency, unit, tenant_id");
    assert.equal(error, null);
    assert.equal(status, 201);
    assert.deepEqual(data, [
      { name: `${RUN} priced`, unit_price: 5, currency: "EUR", unit: "each", tenant_id: TENANTS.globex },
      { name: `${RUN} unpriced`, unit_price: 0, currency: "USD", unit: "each", tenant_id: TENANTS.globex },
    ]);
    assert.equal((await rowsAs("products", "name")).length, 2);
  } finally {
    await cleanUp();
  }
});

Deno.test("return=representation with select and embeds returns the written rows with their relations", async () => {
  try {
    const contact = await globex.from("contacts")
      .insert({ name: `${RUN} contact`, account_id: SOYLENT, email: `${RUN}@example.test` })
      .select("id, name, account:accounts(name, account_type)")
      .single();
    assert.equal(contact.error, null);
    assert.equal(contact.status, 201);
    assert.deepEqual(contact.data?.account, { name: "Soylent Foods", account_type: "customer" });

    const opportunity = await globex.from("opportunities")
      .insert({
        name: `${RUN} deal`,
        account_id: SOYLENT,
        stage_id: GLOBEX_PROSPECTING,
        primary_contact_id: contact.data?.id,
        amount: 1234.5,
      })
      .select(
        "name, amount, accounts(name), pipeline_stages(name), contacts(name), opportunity_line_items(id)",
      )
      .single();
    assert.equal(opportunity.error, null);
    assert.deepEqual(opportunity.data, {
      name: `${RUN} deal`,
      amount: 1234.5,
      accounts: { name: "Soylent Foods" },
      pipeline_stages: { name: "Prospecting" },
      contacts: { name: `${RUN} contact` },
      opportunity_line_items: [],
    });

    const minimal = await globex.from("tasks").insert({ title: `${RUN} minimal`, account_id: SOYLENT });
    assert.equal(minimal.error, null);
    assert.equal(minimal.status, 201);
    assert.equal(minimal.data, null);
    assert.equal((await rowsAs("tasks", "title")).length, 1);
  } finally {
    await cleanUp();
  }
});

Deno.test("upsert with merge-duplicates on the primary key updates the existing row and inserts the new one", async () => {
  try {
    const first = await globex.from("products").insert({ name: `${RUN} a`, sku: `${RUN}-a`, unit_price: 1 })
      .select("id").single();
    assert.equal(first.error, null);
    const newId = crypto.randomUUID();
    const { data, error, status } = await globex.from("products").upsert([
      { id: first.data?.id, name: `${RUN} a, merged`, sku: `${RUN}-a`, unit_price: 2 },
      { id: newId, name: `${RUN} b`, sku: `${RUN}-b`, unit_price: 3 },
    ]).select("id, name, unit_price").order("name");
    assert.equal(error, null);
    assert.equal(status, 201);
    assert.deepEqual(data, [
      { id: first.data?.id, name: `${RUN} a, merged`, unit_price: 2 },
      { id: newId, name: `${RUN} b`, unit_price: 3 },
    ]);
    const rows = await rowsAs("products", "name");
    assert.deepEqual(rows.map((row) => [row.id, row.name, row.unit_price]), [
      [first.data?.id, `${RUN} a, merged`, 2],
      [newId, `${RUN} b`, 3],
    ]);
  } finally {
    await cleanUp();
  }
});

Deno.test("upsert with on_conflict on the unique key (tenant_id, sku) merges by SKU", async () => {
  try {
    const first = await globex.from("products").insert({
      name: `${RUN} sku`,
      sku: `${RUN}-sku`,
      unit_price: 1,
    })
      .select("id").single();
    assert.equal(first.error, null);
    const { data, error } = await globex.from("products")
      .upsert({ name: `${RUN} sku, renamed`, sku: `${RUN}-sku`, unit_price: 9 }, {
        onConflict: "tenant_id,sku",
      })
      .select("id, name, unit_price, tenant_id");
    assert.equal(error, null);
    assert.deepEqual(data, [
      { id: first.data?.id, name: `${RUN} sku, renamed`, unit_price: 9, tenant_id: TENANTS.globex },
    ]);
    const rows = await rowsAs("products", "sku");
    assert.deepEqual(rows.map((row) => [row.id, row.name]), [[first.data?.id, `${RUN} sku, renamed`]]);

    // The gateway completes a unique key with its scope column: on_conflict=sku means (tenant_id, sku).
    const scoped = await globex.from("products")
      .upsert({ name: `${RUN} sku, scoped`, sku: `${RUN}-sku` }, { onConflict: "sku" }).select("id");
    assert.equal(scoped.error, null);
    assert.deepEqual(scoped.data, [{ id: first.data?.id }]);

    // A conflict target that matches no unique index is the database's 42P10: a 400, not a 500.
    const noIndex = await globex.from("products")
      .upsert({ name: `${RUN} sku, again`, sku: `${RUN}-sku` }, { onConflict: "name" });
    assert.equal(noIndex.status, 400);
    assert.equal(noIndex.error?.code, "42P10");
    assert.deepEqual((await rowsAs("products", "sku")).map((row) => row.name), [`${RUN} sku, scoped`]);
  } finally {
    await cleanUp();
  }
});

Deno.test("upsert with ignore-duplicates keeps the existing row and returns only the inserted ones", async () => {
  try {
    const first = await globex.from("products").insert({
      name: `${RUN} kept`,
      sku: `${RUN}-kept`,
      unit_price: 1,
    })
      .select("id").single();
    assert.equal(first.error, null);
    const { data, error, status } = await globex.from("products").upsert([
      { name: `${RUN} ignored`, sku: `${RUN}-kept`, unit_price: 7 },
      { name: `${RUN} new`, sku: `${RUN}-new`, unit_price: 8 },
    ], { onConflict: "tenant_id,sku", ignoreDuplicates: true }).select("name, sku");
    assert.equal(error, null);
    assert.equal(status, 201);
    assert.deepEqual(data, [{ name: `${RUN} new`, sku: `${RUN}-new` }]);
    const rows = await rowsAs("products", "sku");
    assert.deepEqual(rows.map((row) => [row.sku, row.name, row.unit_price]), [
      [`${RUN}-kept`, `${RUN} kept`, 1],
      [`${RUN}-new`, `${RUN} new`, 8],
    ]);
  } finally {
    await cleanUp();
  }
});

Deno.test("update with filters changes only the matching rows and returns them", async () => {
  try {
    const created = await globex.from("tasks").insert([
      { title: `${RUN} task a`, priority: "low", account_id: SOYLENT },
      { title: `${RUN} task b`, priority: "low", account_id: SOYLENT },
      { title: `${RUN} task c`, priority: "low", account_id: SOYLENT },
    ]).select("id, updated_at");
    assert.equal(created.error, null);
    const { data, error, status } = await globex.from("tasks")
      .update({ priority: "high", description: "escalated" })
      .like("title", `${RUN}%`)
      .neq("title", `${RUN} task c`)
      .select("title, priority, description")
      .order("title");
    assert.equal(error, null);
    assert.equal(status, 200);
    assert.deepEqual(data, [
      { title: `${RUN} task a`, priority: "high", description: "escalated" },
      { title: `${RUN} task b`, priority: "high", description: "escalated" },
    ]);
    const rows = await rowsAs("tasks", "title");
    assert.deepEqual(rows.map((row) => [row.title, row.priority]), [
      [`${RUN} task a`, "high"],
      [`${RUN} task b`, "high"],
      [`${RUN} task c`, "low"],
    ]);
    // The touch trigger stamped the updated rows only.
    const stamps = new Map(created.data?.map((row) => [row.id, row.updated_at]));
    assert.notEqual(rows[0]?.updated_at, stamps.get(rows[0]?.id as string));
    assert.equal(rows[2]?.updated_at, stamps.get(rows[2]?.id as string));

    const none = await globex.from("tasks").update({ priority: "urgent" }).eq("title", `${RUN} nothing`)
      .select();
    assert.equal(none.error, null);
    assert.deepEqual(none.data, []);
  } finally {
    await cleanUp();
  }
});

Deno.test("delete with filters and count=exact reports how many rows it deleted", async () => {
  try {
    const created = await globex.from("notes").insert([
      { title: `${RUN} note 1`, body: "one", account_id: SOYLENT },
      { title: `${RUN} note 2`, body: "two", account_id: SOYLENT },
      { title: `${RUN} note 3`, body: "three", account_id: SOYLENT },
    ]).select("id").order("title");
    assert.equal(created.error, null);
    const ids = created.data?.map((row) => row.id) ?? [];
    const { count, error, status, data } = await globex.from("notes").delete({ count: "exact" })
      .like("title", `${RUN}%`).in("id", ids.slice(0, 2));
    assert.equal(error, null);
    assert.equal(status, 204);
    assert.equal(data, null);
    assert.equal(count, 2);
    assert.deepEqual((await rowsAs("notes", "title")).map((row) => row.id), [ids[2]]);

    const returning = await globex.from("notes").delete().eq("id", ids[2]).select("title, body");
    assert.equal(returning.error, null);
    assert.equal(returning.status, 200);
    assert.deepEqual(returning.data, [{ title: `${RUN} note 3`, body: "three" }]);
    assert.deepEqual(await rowsAs("notes", "title"), []);
  } finally {
    await cleanUp();
  }
});

Deno.test("single() returns the one written row as an object, and refuses (406) and rolls back two", async () => {
  try {
    const one = await globex.from("tasks").insert({ title: `${RUN} single 1`, account_id: SOYLENT })
      .select("title, status").single();
    assert.equal(one.error, null);
    assert.equal(one.status, 201);
    assert.deepEqual(one.data, { title: `${RUN} single 1`, status: "todo" });
    const second = await globex.from("tasks").insert({ title: `${RUN} single 2`, account_id: SOYLENT });
    assert.equal(second.error, null);

    const updated = await globex.from("tasks").update({ status: "done" }).eq("title", `${RUN} single 1`)
      .select("status").single();
    assert.equal(updated.error, null);
    assert.deepEqual(updated.data, { status: "done" });

    const both = await globex.from("tasks").update({ status: "blocked" }).like("title", `${RUN}%`)
      .select("status").single();
    assert.equal(both.status, 406);
    assert.equal(both.error?.code, "PGRST116");
    const rows = await rowsAs("tasks", "title");
    assert.deepEqual(rows.map((row) => row.status), ["done", "todo"]);

    const twoInserted = await globex.from("tasks").insert([
      { title: `${RUN} single 3`, account_id: SOYLENT },
      { title: `${RUN} single 4`, account_id: SOYLENT },
    ]).select().single();
    assert.equal(twoInserted.status, 406);
    assert.equal(twoInserted.error?.code, "PGRST116");
    assert.equal((await rowsAs("tasks", "title")).length, 2);
  } finally {
    await cleanUp();
  }
});

Deno.test("Prefer max-affected (handling=strict) refuses a write that touches more rows, and rolls it back", async () => {
  // supabase-js's maxAffected() sends these two preferences; its types offer it only for PostgREST 13.
  const strict = (rows: number) => ({
    prefer: `handling=strict, max-affected=${rows}, return=representation`,
  });
  const filter = `title=like.${encodeURIComponent(`${RUN}*`)}`;
  try {
    const created = await globex.from("tasks").insert([
      { title: `${RUN} max a`, account_id: SOYLENT },
      { title: `${RUN} max b`, account_id: SOYLENT },
    ]);
    assert.equal(created.error, null);
    const update = await gatewayFetch(stack, `/tasks?${filter}`, {
      token: grace,
      method: "PATCH",
      headers: strict(1),
      body: { status: "cancelled" },
    });
    assert.equal(update.status, 400);
    assert.equal((update.json as Row).code, "PGRST124");
    const remove = await gatewayFetch(stack, `/tasks?${filter}`, {
      token: grace,
      method: "DELETE",
      headers: strict(1),
    });
    assert.equal(remove.status, 400);
    assert.equal((remove.json as Row).code, "PGRST124");
    assert.deepEqual((await rowsAs("tasks", "title")).map((row) => row.status), ["todo", "todo"]);

    const allowed = await gatewayFetch(stack, `/tasks?${filter}&select=status`, {
      token: grace,
      method: "PATCH",
      headers: strict(2),
      body: { status: "cancelled" },
    });
    assert.equal(allowed.status, 200);
    assert.deepEqual(allowed.json, [{ status: "cancelled" }, { status: "cancelled" }]);
  } finally {
    await cleanUp();
  }
});

Deno.test("a unique violation answers 409 with PostgREST's body (23505)", async () => {
  try {
    const response = await gatewayFetch(stack, "/products", {
      token: grace,
      method: "POST",
      body: { name: `${RUN} duplicate`, sku: "GLX-AV" },
    });
    assert.equal(response.status, 409);
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
    // RLS is on, so PostgreSQL leaves out the "Key (…)=(…) already exists" detail, as under PostgREST.
    assert.deepEqual(response.json, {
      code: "23505",
      message: 'duplicate key value violates unique constraint "products_tenant_id_sku_key"',
      details: null,
      hint: null,
    });
    assert.deepEqual(await rowsAs("products", "name"), []);

    const contact = await globex.from("contacts")
      .insert({ name: `${RUN} same email`, email: "hank.scorpio.1@soylent.example" });
    assert.equal(contact.status, 409);
    assert.equal(contact.error?.code, "23505");
    assert.match(contact.error?.message ?? "", /contacts_tenant_id_email_key/);
  } finally {
    await cleanUp();
  }
});

Deno.test("a foreign key violation answers 409 (23503) and writes nothing", async () => {
  try {
    const { error, status } = await globex.from("contacts")
      .insert({ name: `${RUN} orphan`, account_id: crypto.randomUUID() });
    assert.equal(status, 409);
    assert.equal(error?.code, "23503");
    assert.match(error?.message ?? "", /contacts_account_id_fkey/);
    assert.deepEqual(await rowsAs("contacts", "name"), []);
  } finally {
    await cleanUp();
  }
});

const CHECK_VIOLATIONS: { table: string; row: Row; constraint: string }[] = [
  {
    table: "accounts",
    row: { name: `${RUN} c1`, employee_count: -1 },
    constraint: "accounts_employee_count_check",
  },
  { table: "accounts", row: { name: `${RUN} c2`, currency: "usd" }, constraint: "accounts_currency_check" },
  {
    table: "accounts",
    row: { name: `${RUN} c3`, account_type: "enemy" },
    constraint: "accounts_account_type_check",
  },
  {
    table: "products",
    row: { name: `${RUN} c4`, unit_price: -0.01 },
    constraint: "products_unit_price_check",
  },
  {
    table: "contacts",
    row: { name: `${RUN} c5`, email: "not an email" },
    constraint: "contacts_email_check",
  },
  { table: "notes", row: { title: `${RUN} c6`, body: "about nothing" }, constraint: "notes_about_something" },
  {
    table: "events",
    row: { name: `${RUN} c7`, starts_at: "2027-01-02T00:00:00Z", ends_at: "2027-01-01T00:00:00Z" },
    constraint: "events_ends_after_start",
  },
];

for (const { table, row, constraint } of CHECK_VIOLATIONS) {
  Deno.test(`a check violation on ${table} answers 400 naming ${constraint}`, async () => {
    try {
      const { error, status } = await globex.from(table).insert(row);
      assert.equal(status, 400);
      assert.equal(error?.code, "23514");
      assert.match(error?.message ?? "", new RegExp(`"${constraint}"`));
      assert.deepEqual(await rowsAs(table, table === "notes" ? "title" : "name"), []);
    } finally {
      await cleanUp();
    }
  });
}

Deno.test("an event status change outside the workflow answers 400 with a hint naming the allowed states", async () => {
  try {
    const created = await globex.from("events").insert({ name: `${RUN} event` }).select("id, status")
      .single();
    assert.equal(created.error, null);
    assert.equal(created.data?.status, "draft");
    const id = created.data?.id;

    const skip = await globex.from("events").update({ status: "completed" }).eq("id", id);
    assert.equal(skip.status, 400);
    assert.equal(skip.error?.code, "23514");
    assert.equal(
      skip.error?.message,
      "Cannot change event status: draft → completed is not an allowed transition",
    );
    assert.equal(skip.error?.hint, "From draft an event may go to: planning, cancelled");
    assert.equal((await rowById("events", id))?.status, "draft");

    const planned = await globex.from("events").update({ status: "planning" }).eq("id", id)
      .select("status, previous_status, planning_at").single();
    assert.equal(planned.error, null);
    assert.equal(planned.data?.status, "planning");
    assert.equal(planned.data?.previous_status, "draft");
    assert.notEqual(planned.data?.planning_at, null);

    const close = await globex.from("events").update({ status: "closed" }).eq("id", id);
    assert.equal(close.status, 400);
    assert.equal(close.error?.hint, "From planning an event may go to: pending_approval, draft, cancelled");
    assert.equal((await rowById("events", id))?.status, "planning");

    const approvedAtBirth = await globex.from("events").insert({
      name: `${RUN} born approved`,
      status: "approved",
    });
    assert.equal(approvedAtBirth.status, 400);
    assert.equal(approvedAtBirth.error?.code, "23514");
    assert.equal(approvedAtBirth.error?.hint, "Create the event, then move it through the workflow");
  } finally {
    await cleanUp();
  }
});

Deno.test("only an owner or admin approves an event: a member's approval answers 403 (42501)", async () => {
  try {
    const created = await globex.from("events").insert({ name: `${RUN} approval`, status: "planning" })
      .select("id").single();
    assert.equal(created.error, null);
    const id = created.data?.id;
    const oliviaAtGlobex = gatewayClient(stack, olivia, "globex");
    const requested = await oliviaAtGlobex.from("events").update({ status: "pending_approval" }).eq("id", id)
      .select("status, approval_requested_by").single();
    assert.equal(requested.error, null);
    assert.deepEqual(requested.data, { status: "pending_approval", approval_requested_by: USERS.olivia.id });

    const byMember = await oliviaAtGlobex.from("events").update({ status: "approved" }).eq("id", id);
    assert.equal(byMember.status, 403);
    assert.equal(byMember.error?.code, "42501");
    assert.equal((await rowById("events", id))?.status, "pending_approval");

    const byOwner = await globex.from("events").update({ status: "approved" }).eq("id", id)
      .select("status, approved_by").single();
    assert.equal(byOwner.error, null);
    assert.deepEqual(byOwner.data, { status: "approved", approved_by: USERS.grace.id });
  } finally {
    await cleanUp();
  }
});

const BAD_ADDRESSES: { label: string; address: unknown }[] = [
  { label: "an unknown key", address: { street: "1 Main St" } },
  { label: "a number value", address: { line1: "1 Main St", postal_code: 12345 } },
  { label: "a nested object", address: { line1: { number: 1 } } },
  { label: "a country that is not two capitals", address: { city: "Berlin", country: "Germany" } },
  { label: "an array", address: ["1 Main St", "Berlin"] },
  { label: "a string", address: "1 Main St, Berlin" },
];

for (const { label, address } of BAD_ADDRESSES) {
  Deno.test(`an address with ${label} answers 400 (accounts_address_shape) and writes nothing`, async () => {
    try {
      const { error, status } = await globex.from("accounts").insert({ name: `${RUN} address`, address });
      assert.equal(status, 400);
      assert.equal(error?.code, "23514");
      assert.match(error?.message ?? "", /"accounts_address_shape"/);
      assert.deepEqual(await rowsAs("accounts", "name"), []);
    } finally {
      await cleanUp();
    }
  });
}

Deno.test("a well-formed address is stored and kept in sync with the address columns", async () => {
  try {
    const address = { line1: "Königsallee 1", city: "Düsseldorf", postal_code: "40212", country: "DE" };
    const created = await globex.from("accounts").insert({ name: `${RUN} address ok`, address })
      .select("id, address, city, country").single();
    assert.equal(created.error, null);
    assert.deepEqual(created.data, { id: created.data?.id, address, city: "Düsseldorf", country: "DE" });
    const moved = await globex.from("accounts").update({ city: "Köln", postal_code: "50667" })
      .eq("id", created.data?.id).select("address").single();
    assert.equal(moved.error, null);
    assert.deepEqual(moved.data?.address, { ...address, city: "Köln", postal_code: "50667" });
    assert.deepEqual((await rowById("accounts", created.data?.id))?.address, moved.data?.address);
  } finally {
    await cleanUp();
  }
});

Deno.test("created_by cannot be rewritten through the gateway (403, 42501)", async () => {
  try {
    const created = await globex.from("tasks").insert({ title: `${RUN} authored`, account_id: SOYLENT })
      .select("id").single();
    assert.equal(created.error, null);
    const { error, status } = await globex.from("tasks").update({ created_by: USERS.olivia.id })
      .eq("id", created.data?.id);
    assert.equal(status, 403);
    assert.equal(error?.code, "42501");
    assert.equal((await rowById("tasks", created.data?.id))?.created_by, USERS.grace.id);
  } finally {
    await cleanUp();
  }
});

Deno.test("the write tests leave both tenant databases exactly as they found them", async () => {
  assert.deepEqual(await databaseFingerprint(SHARED), before.shared);
  assert.deepEqual(await databaseFingerprint(ACME_DB), before.acme);
});
