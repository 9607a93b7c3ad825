// The statements of buildQuery(), run against the local tenant databases the way the executor will: in a
// transaction with role authenticated and the request's claims, always rolled back.
import assert from "node:assert/strict";
import type postgres from "postgres";
import { buildQuery } from "./sql_query.ts";
import {
  ACME,
  ACME_DB_URL,
  asTenant,
  GLOBEX,
  INITECH,
  inRollback,
  type ResultRow,
  run,
  SHARED_DB_URL,
  withDb,
} from "../testdata/db.ts";
import { apiRequest, queryFor, write } from "../testdata/fixtures.ts";
import { planRequest } from "../plan/plan_request.ts";
import { SYNTHETIC_CATALOG, SYNTHETIC_SCHEMA, syntheticDdl } from "../testdata/synthetic.ts";

type Row = Record<string, unknown>;

function shared(name: string, fn: (sql: postgres.Sql) => Promise<void>): void {
  Deno.test({ name, fn: () => withDb(SHARED_DB_URL ?? "", fn) });
}

function rows(body: string | null): Row[] {
  assert.ok(body !== null, "a body");
  const parsed: unknown = JSON.parse(body);
  assert.ok(Array.isArray(parsed), body);
  return parsed as Row[];
}

async function count(sql: postgres.Sql, table: string, tenant: string): Promise<number> {
  const [row] = await sql.unsafe<{ n: number }[]>(
    `select count(*)::int as n from public.${table} where tenant_id = $1`,
    [
      tenant,
    ],
  );
  return row?.n ?? -1;
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { code: typeof code === "string" ? code : "?", message: String(err) };
  }
  assert.fail("expected the statement to fail");
}

shared("a read returns only the rows of the tenant in the claims", async (sql) => {
  for (const tenant of [GLOBEX, INITECH]) {
    const query = await queryFor("contacts?select=id,tenant_id");
    const result = await asTenant(sql, tenant, (tx) => run(tx, query));
    const found = rows(result.body);
    assert.equal(result.page_total, await count(sql, "contacts", tenant));
    assert.ok(found.length > 0 && found.every((row) => row.tenant_id === tenant));
  }
});

shared("a tenant role the policies do not know reads nothing", async (sql) => {
  const result = await asTenant(sql, GLOBEX, async (tx) => run(tx, await queryFor("contacts")), "stranger");
  assert.deepEqual([result.page_total, result.body], [0, "[]"]);
});

shared("count=exact counts every matching row while the page is limited", async (sql) => {
  const query = await queryFor("contacts?select=id&order=id&limit=3&offset=1", {
    headers: { prefer: "count=exact" },
  });
  const result = await asTenant(sql, GLOBEX, (tx) => run(tx, query));
  assert.equal(result.page_total, 3);
  assert.equal(Number(result.total_count), await count(sql, "contacts", GLOBEX));
  assert.equal(query.offset, 1);
  const all = rows(
    (await asTenant(sql, GLOBEX, async (tx) => run(tx, await queryFor("contacts?select=id&order=id")))).body,
  );
  assert.deepEqual(rows(result.body), all.slice(1, 4));
});

shared("a many-to-one embed is an object (or null) joined within the tenant", async (sql) => {
  const result = await asTenant(
    sql,
    GLOBEX,
    async (tx) => run(tx, await queryFor("contacts?select=id,account_id,account:accounts(id,name)")),
  );
  for (const row of rows(result.body)) {
    if (row.account_id === null) assert.equal(row.account, null);
    else assert.deepEqual(Object.keys(row.account as Row), ["id", "name"]);
    if (row.account_id !== null) assert.equal((row.account as Row).id, row.account_id);
  }
});

shared("a one-to-many embed is an array, ordered and limited per parent", async (sql) => {
  const result = await asTenant(
    sql,
    GLOBEX,
    async (tx) =>
      run(
        tx,
        await queryFor("accounts?select=id,contacts(email)&contacts.order=email.desc&contacts.limit=1"),
      ),
  );
  const accounts = rows(result.body);
  assert.equal(accounts.length, await count(sql, "accounts", GLOBEX));
  for (const account of accounts) {
    const contacts = account.contacts as Row[];
    assert.ok(Array.isArray(contacts) && contacts.length <= 1);
  }
  const [row] = await sql<
    { email: string }[]
  >`select max(email) as email from public.contacts where account_id = ${"10200000-0000-4000-8000-000000000001"}`;
  const soylent = accounts.find((a) => a.id === "10200000-0000-4000-8000-000000000001");
  assert.deepEqual(soylent?.contacts, [{ email: row?.email }]);
});

shared("!inner keeps only parents with a matching embedded row, and count=exact agrees", async (sql) => {
  const query = await queryFor("accounts?select=id,contacts!inner(email)&contacts.email=like.*soylent*", {
    headers: { prefer: "count=exact" },
  });
  const result = await asTenant(sql, GLOBEX, (tx) => run(tx, query));
  assert.deepEqual(rows(result.body).map((row) => row.id), ["10200000-0000-4000-8000-000000000001"]);
  assert.deepEqual([result.page_total, result.total_count], [1, "1"]);
});

shared("embed null filters keep rows with or without an embedded row", async (sql) => {
  const without = await asTenant(
    sql,
    GLOBEX,
    async (tx) => run(tx, await queryFor("contacts?select=id,account:accounts(id)&account=is.null")),
  );
  const within = await asTenant(
    sql,
    GLOBEX,
    async (tx) => run(tx, await queryFor("contacts?select=id,account:accounts(id)&account=not.is.null")),
  );
  assert.ok(rows(without.body).every((row) => row.account === null));
  assert.ok(rows(within.body).every((row) => row.account !== null));
  assert.equal(without.page_total + within.page_total, await count(sql, "contacts", GLOBEX));
});

shared("nested embeds and embedded counts have PostgREST's shape", async (sql) => {
  const nested = await asTenant(
    sql,
    GLOBEX,
    async (tx) =>
      run(
        tx,
        await queryFor(
          "accounts?select=id,opportunities(id,opportunity_line_items(id,quantity,products(name)))",
        ),
      ),
  );
  const items = rows(nested.body).flatMap((a) => a.opportunities as Row[]).flatMap((o) =>
    o.opportunity_line_items as Row[]
  );
  assert.ok(items.length > 0 && items.every((item) => typeof (item.products as Row).name === "string"));
  const counted = await asTenant(
    sql,
    GLOBEX,
    async (tx) => run(tx, await queryFor("accounts?select=id,contacts(count)")),
  );
  const [expected] = await sql<{ n: number }[]>`select count(*)::int as n from public.contacts
    where account_id = '10200000-0000-4000-8000-000000000001'`;
  const soylent = rows(counted.body).find((a) => a.id === "10200000-0000-4000-8000-000000000001");
  assert.deepEqual(soylent?.contacts, [{ count: expected?.n }]);
});

shared("spreads, related orders, aliases, casts and JSON paths come out as requested", async (sql) => {
  const result = await asTenant(sql, GLOBEX, async (tx) =>
    run(
      tx,
      await queryFor(
        "contacts?select=id,n:name,...accounts(account_name:name,city:address->>city),created:created_at::text" +
          "&accounts=not.is.null&order=accounts(name).desc,id&limit=3",
      ),
    ));
  const found = rows(result.body);
  assert.deepEqual(Object.keys(found[0] ?? {}), ["id", "n", "account_name", "city", "created"]);
  assert.equal(typeof found[0]?.created, "string");
});

shared("related order sorts by the to-one embed's column", async (sql) => {
  const result = await asTenant(
    sql,
    GLOBEX,
    async (tx) =>
      run(
        tx,
        await queryFor(
          "contacts?select=id,account:accounts(name)&account=not.is.null&order=account(name).desc",
        ),
      ),
  );
  const names = rows(result.body).map((row) => (row.account as Row).name as string);
  assert.deepEqual(names, [...names].sort().reverse());
});

shared("filters of every kind run with their values typed by PostgreSQL", async (sql) => {
  const queries = [
    'accounts?address=cs.{"country":"DE"}',
    "accounts?address->>city=eq.Portland",
    "events?tags=cs.{2026}&tags=cd.{2026,conference,meetup,trade_show,workshop}",
    "events?tags=ov.{meetup,nope}",
    "contacts?name=ilike.*a*&email=not.is.null&is_primary=is.true",
    "contacts?or=(name.ilike.h*,and(email.like.*soylent*,is_primary.not.is.true))",
    "contacts?id=in.(11200000-0000-4000-8000-000000000001,11200000-0000-4000-8000-000000000002)",
    "contacts?created_at=lt.2100-01-01&created_at=gte.2000-01-01T00:00:00Z",
    "opportunities?amount=gt.10.005&probability=lte.100",
    "notes?body=wfts(english).board meeting",
    "notes?body=fts.board",
    "contacts?name=eq(any).{Hank Scorpio,x}",
    "contacts?name=isdistinct.x",
    'contacts?tags->0=eq."x"',
  ];
  for (const path of queries) {
    const result = await asTenant(sql, GLOBEX, async (tx) => run(tx, await queryFor(path)));
    assert.ok(result.page_total >= 0, path);
  }
  const portland = await asTenant(
    sql,
    GLOBEX,
    async (tx) => run(tx, await queryFor("accounts?select=id&address->>city=eq.Portland")),
  );
  assert.equal(portland.page_total, 1);
  const board = await asTenant(
    sql,
    GLOBEX,
    async (tx) => run(tx, await queryFor("notes?select=id&body=wfts(english).board meeting")),
  );
  assert.ok(board.page_total >= 1);
});

shared("a value that cannot be the column's type is PostgreSQL's 22P02", async (sql) => {
  const error = await failure(
    asTenant(sql, GLOBEX, async (tx) => run(tx, await queryFor("contacts?id=eq.x"))),
  );
  assert.equal(error.code, "22P02");
});

shared("a single object, CSV and stripped nulls are built in SQL", async (sql) => {
  const single = await asTenant(sql, GLOBEX, async (tx) =>
    run(
      tx,
      await queryFor("contacts?select=id,department&id=eq.11200000-0000-4000-8000-000000000001", {
        headers: { accept: "application/vnd.pgrst.object+json;nulls=stripped" },
      }),
    ));
  assert.deepEqual([single.page_total, JSON.parse(single.body ?? "")], [1, {
    id: "11200000-0000-4000-8000-000000000001",
  }]);
  const none = await asTenant(
    sql,
    GLOBEX,
    async (tx) =>
      run(
        tx,
        await queryFor("contacts?id=eq.00000000-0000-4000-8000-000000000000", {
          headers: { accept: "application/vnd.pgrst.object+json" },
        }),
      ),
  );
  assert.deepEqual([none.page_total, none.body], [0, "null"]);
  const csv = await asTenant(
    sql,
    GLOBEX,
    async (tx) =>
      run(
        tx,
        await queryFor("contacts?select=id,name&order=id&limit=2", { headers: { accept: "text/csv" } }),
      ),
  );
  assert.deepEqual(csv.body?.split("\n"), [
    "id,name",
    '11200000-0000-4000-8000-000000000001,"Hank Scorpio"',
    '11200000-0000-4000-8000-000000000002,"Grace Hopper"',
  ]);
});

shared("HEAD counts without building a body", async (sql) => {
  const result = await asTenant(
    sql,
    GLOBEX,
    async (tx) => run(tx, await queryFor("contacts", { method: "HEAD", headers: { prefer: "count=exact" } })),
  );
  assert.deepEqual([result.body, Number(result.total_count)], [null, await count(sql, "contacts", GLOBEX)]);
});

shared("count() aggregates and groups", async (sql) => {
  const result = await asTenant(
    sql,
    GLOBEX,
    async (tx) =>
      run(
        tx,
        await queryFor("contacts?select=account_id,n:count()&order=account_id", {
          headers: { prefer: "count=exact" },
        }, { aggregates: true }),
      ),
  );
  const groups = rows(result.body);
  assert.equal(groups.reduce((sum, row) => sum + Number(row.n), 0), await count(sql, "contacts", GLOBEX));
  assert.equal(Number(result.total_count), groups.length);
});

shared(
  "an insert takes the tenant from the claims and returns the representation with embeds",
  async (sql) => {
    const before = await count(sql, "contacts", GLOBEX);
    const result = await asTenant(sql, GLOBEX, async (tx) => {
      const inserted = await run(
        tx,
        await queryFor(
          "contacts?select=id,tenant_id,name,tags,account:accounts(name)",
          write(
            "POST",
            { name: "Ada", account_id: "10200000-0000-4000-8000-000000000001" },
            "return=representation",
          ),
        ),
      );
      const after = await run(
        tx,
        await queryFor("contacts?select=id&name=eq.Ada", { headers: { prefer: "count=exact" } }),
      );
      return { inserted, after };
    });
    const [row] = rows(result.inserted.body);
    assert.deepEqual([result.inserted.page_total, row?.tenant_id, row?.name, row?.tags, row?.account], [
      1,
      GLOBEX,
      "Ada",
      [],
      { name: "Soylent Foods" },
    ]);
    assert.equal(result.after.total_count, "1");
    assert.equal(await count(sql, "contacts", GLOBEX), before, "rolled back");
  },
);

shared("an array insert with columns= and missing=default fills absent keys with defaults", async (sql) => {
  const result = await asTenant(sql, GLOBEX, async (tx) =>
    run(
      tx,
      await queryFor(
        "contacts?columns=name,email,is_primary,tags&select=name,email,is_primary,tags",
        write(
          "POST",
          [{ name: "A" }, { name: "B", email: "b@x.test", is_primary: true, tags: ["t"] }],
          "return=representation,missing=default",
        ),
      ),
    ));
  assert.deepEqual(rows(result.body), [
    { name: "A", email: null, is_primary: false, tags: [] },
    { name: "B", email: "b@x.test", is_primary: true, tags: ["t"] },
  ]);
});

shared("an array insert without missing=default sets absent keys to null, as PostgREST", async (sql) => {
  const error = await failure(
    asTenant(
      sql,
      GLOBEX,
      async (tx) =>
        run(tx, await queryFor("contacts?columns=name,is_primary", write("POST", [{ name: "A" }]))),
    ),
  );
  assert.equal(error.code, "23502");
});

shared("an insert of an empty object inserts a row of defaults", async (sql) => {
  // venues.name is not null and has no default: the row of defaults reaches the database, which refuses it.
  const error = await failure(
    asTenant(sql, GLOBEX, async (tx) => run(tx, await queryFor("venues", write("POST", "{}")))),
  );
  assert.equal(error.code, "23502");
  assert.match(error.message, /"name"/);
});

shared("an upsert merges on the tenant-scoped unique key, or ignores duplicates", async (sql) => {
  const result = await asTenant(sql, GLOBEX, async (tx) => {
    const merged = await run(
      tx,
      await queryFor(
        "products?on_conflict=sku&select=sku,name",
        write(
          "POST",
          [{ sku: "GLX-DOME", name: "Renamed" }, { sku: "NEW-1", name: "New" }],
          "resolution=merge-duplicates,return=representation",
        ),
      ),
    );
    const ignored = await run(
      tx,
      await queryFor(
        "products?on_conflict=sku&columns=sku,name",
        write(
          "POST",
          [{ sku: "GLX-AV", name: "Ignored" }, { sku: "NEW-2", name: "New 2" }],
          "resolution=ignore-duplicates,count=exact",
        ),
      ),
    );
    const names = await run(
      tx,
      await queryFor("products?select=sku,name&sku=in.(GLX-DOME,GLX-AV,NEW-1,NEW-2)&order=sku"),
    );
    return { merged, ignored, names };
  });
  assert.deepEqual(rows(result.merged.body), [{ sku: "GLX-DOME", name: "Renamed" }, {
    sku: "NEW-1",
    name: "New",
  }]);
  assert.deepEqual([result.ignored.page_total, result.ignored.total_count, result.ignored.body], [
    1,
    "1",
    null,
  ]);
  assert.deepEqual(rows(result.names.body).map((r) => r.name), [
    "AV production crew",
    "Renamed",
    "New",
    "New 2",
  ]);
});

shared("an upsert on the primary key updates the existing row", async (sql) => {
  const result = await asTenant(sql, GLOBEX, async (tx) =>
    run(
      tx,
      await queryFor(
        "products?select=id,name",
        write(
          "POST",
          { id: "13200000-0000-4000-8000-000000000001", sku: "GLX-DOME", name: "Dome" },
          "resolution=merge-duplicates,return=representation",
        ),
      ),
    ));
  assert.deepEqual(rows(result.body), [{ id: "13200000-0000-4000-8000-000000000001", name: "Dome" }]);
});

shared("an update changes the filtered rows of the tenant only", async (sql) => {
  const result = await asTenant(
    sql,
    GLOBEX,
    async (tx) =>
      run(
        tx,
        await queryFor(
          "contacts?select=id,last_name&account_id=is.null",
          write("PATCH", { last_name: "Byron" }, "return=representation,count=exact"),
        ),
      ),
  );
  const [expected] = await sql<{ n: number }[]>`select count(*)::int as n from public.contacts
    where tenant_id = ${GLOBEX} and account_id is null`;
  assert.equal(result.page_total, expected?.n);
  assert.ok(rows(result.body).every((row) => row.last_name === "Byron"));
});

shared("an update with order and limit changes only the first rows", async (sql) => {
  const result = await asTenant(sql, GLOBEX, async (tx) => {
    const updated = await run(
      tx,
      await queryFor(
        "contacts?select=id&order=id.desc&limit=2",
        write("PATCH", { department: "Z" }, "return=representation"),
      ),
    );
    const check = await run(tx, await queryFor("contacts?select=id&department=eq.Z&order=id.desc"));
    return { updated, check };
  });
  assert.equal(result.updated.page_total, 2);
  assert.deepEqual(rows(result.check.body), rows(result.updated.body));
});

shared("a delete removes the filtered rows and returns them with embeds", async (sql) => {
  const result = await asTenant(sql, GLOBEX, async (tx) => {
    const deleted = await run(
      tx,
      await queryFor(
        "tasks?select=id,account:accounts(name)&status=neq.nope&limit=2&order=id",
        write("DELETE", undefined, "return=representation,count=exact"),
      ),
    );
    const left = await run(
      tx,
      await queryFor("tasks", { method: "HEAD", headers: { prefer: "count=exact" } }),
    );
    return { deleted, left };
  });
  assert.equal(result.deleted.page_total, 2);
  assert.equal(Number(result.left.total_count), (await count(sql, "tasks", GLOBEX)) - 2);
  assert.ok(rows(result.deleted.body).every((row) => "account" in row));
});

shared("RLS refuses a row for another tenant and a viewer's write (42501)", async (sql) => {
  const other = await failure(
    asTenant(
      sql,
      GLOBEX,
      async (tx) => run(tx, await queryFor("contacts", write("POST", { name: "x", tenant_id: INITECH }))),
    ),
  );
  assert.equal(other.code, "42501");
  const viewer = await failure(
    asTenant(
      sql,
      GLOBEX,
      async (tx) => run(tx, await queryFor("contacts", write("POST", { name: "x" }))),
      "viewer",
    ),
  );
  assert.equal(viewer.code, "42501");
  const untouched = await asTenant(
    sql,
    GLOBEX,
    async (tx) => run(tx, await queryFor("contacts?name=eq.Hank Scorpio", write("DELETE", undefined))),
    "viewer",
  );
  assert.equal(untouched.page_total, 0, "a using policy filters silently");
});

shared("hostile values round-trip as data", async (sql) => {
  const value = `x'; drop table contacts; --" \\ $1 */ Ünïcødé 🚀`;
  const result = await asTenant(sql, GLOBEX, async (tx) => {
    await run(tx, await queryFor("contacts", write("POST", { name: value, tags: [value, '"', "\\"] })));
    return run(
      tx,
      await queryFor(
        `contacts?select=name,tags&name=eq.${encodeURIComponent(value)}&tags=cs.${
          encodeURIComponent(`{"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"}`)
        }`,
      ),
    );
  });
  assert.deepEqual(rows(result.body), [{ name: value, tags: [value, '"', "\\"] }]);
  const nul = await failure(
    asTenant(sql, GLOBEX, async (tx) => run(tx, await queryFor("contacts?name=eq.a%00b"))),
  );
  assert.equal(nul.code, "22021");
});

Deno.test({
  name: "the dedicated database serves its tenant and nobody else",
  fn: () =>
    withDb(ACME_DB_URL ?? "", async (sql) => {
      const query = await queryFor("contacts?select=id", { headers: { prefer: "count=exact" } });
      const acme = await asTenant(sql, ACME, (tx) => run(tx, query));
      assert.equal(Number(acme.total_count), await count(sql, "contacts", ACME));
      const globex = await asTenant(sql, GLOBEX, (tx) => run(tx, query));
      assert.deepEqual([globex.page_total, globex.body], [0, "[]"]);
    }),
});

/** Runs `fn` with the synthetic schema created in a transaction that is rolled back. */
function synthetic(
  sql: postgres.Sql,
  fn: (
    tx: postgres.TransactionSql,
    query: (path: string, init?: RequestInit) => Promise<ResultRow>,
  ) => Promise<void>,
): Promise<void> {
  return inRollback(sql, async (tx) => {
    await tx.unsafe(syntheticDdl(SYNTHETIC_SCHEMA));
    const schemas = [SYNTHETIC_SCHEMA];
    await fn(tx, async (path, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set("content-profile", SYNTHETIC_SCHEMA);
      const request = await apiRequest(path, { ...init, headers }, { schemas });
      return run(tx, buildQuery(planRequest(request, SYNTHETIC_CATALOG)));
    });
  });
}

shared(
  "many-to-many and one-to-one embeds run through the junction and the shared key",
  (sql) =>
    synthetic(sql, async (_tx, query) => {
      const people = await query(
        "people?select=name,profiles(bio),projects!memberships(name)&order=id&projects.order=name",
      );
      assert.deepEqual(rows(people.body), [
        { name: "Ada", profiles: { bio: "Analytical" }, projects: [{ name: "Engine" }] },
        { name: "Grace", profiles: null, projects: [{ name: "Compiler" }, { name: "Engine" }] },
        { name: "Linus", profiles: null, projects: [{ name: "Kernel" }] },
      ]);
      const owners = await query(
        "projects?select=name,owner:people!owner_id(name),reviewer:people!projects_reviewer_id_fkey(name)&order=id",
      );
      assert.deepEqual(rows(owners.body), [
        { name: "Engine", owner: { name: "Ada" }, reviewer: { name: "Grace" } },
        { name: "Compiler", owner: { name: "Grace" }, reviewer: { name: "Ada" } },
        { name: "Kernel", owner: { name: "Linus" }, reviewer: null },
      ]);
    }),
);

shared(
  "a character(n) column compares with its padding, not truncated to one character",
  (sql) =>
    synthetic(sql, async (_tx, query) => {
      assert.deepEqual(rows((await query("people?select=name&code=eq.ADA")).body), [{ name: "Ada" }]);
      assert.deepEqual(rows((await query("people?select=name&code=in.(GH,x)")).body), [{ name: "Grace" }]);
    }),
);

shared(
  "awkward column names and generated and identity columns work as PostgreSQL defines them",
  (sql) =>
    synthetic(sql, async (tx, query) => {
      const weird = await query(
        `people?select=id,${encodeURIComponent('"Weird \\"col\\""')},name_upper&id=eq.1`,
        write("PATCH", { 'Weird "col"': "ok" }, "return=representation"),
      );
      assert.deepEqual(rows(weird.body), [{ id: 1, 'Weird "col"': "ok", name_upper: "ADA" }]);
      const project = await query(
        "projects?select=id,name",
        write("POST", { name: "New" }, "return=representation"),
      );
      assert.equal(typeof rows(project.body)[0]?.id, "number");
      await tx.unsafe("savepoint generated");
      const generated = await failure(query("people", write("POST", { id: 9, name: "x", name_upper: "X" })));
      assert.equal(generated.code, "428C9");
      await tx.unsafe("rollback to savepoint generated");
      const merged = await query(
        "memberships?select=person_id,project_id,role",
        write(
          "POST",
          [{ person_id: 1, project_id: 10, role: "owner" }],
          "resolution=merge-duplicates,return=representation",
        ),
      );
      assert.deepEqual(rows(merged.body), [{ person_id: 1, project_id: 10, role: "owner" }]);
    }),
);
