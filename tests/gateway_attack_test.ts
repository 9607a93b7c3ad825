/**
 * End to end through the running functions: requests that try to reach another tenant's rows, to write
 * without the right, to get past authentication, or to smuggle SQL in through the query language. Every
 * one must fail closed: a status below 500, no row of another tenant in the answer, no row of another
 * tenant changed (checked with SQL), and a body without SQL text, stack traces or secrets.
 */
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import {
  adminSql,
  databaseFingerprint,
  gatewayClient,
  gatewayFetch,
  type GatewayFetchOptions,
  type GatewayResponse,
  sqlAsTenant,
  TENANTS,
  USERS,
  userToken,
} from "./_clients.ts";
import { testStack } from "./_env.ts";
import { assertFailsClosed } from "./_fail_closed.ts";

const stack = testStack();
const SHARED = stack.tenantDbUrls.tenant_shared;
const ACME_DB = stack.tenantDbUrls.tenant_acme;
const before = {
  shared: await databaseFingerprint(SHARED),
  acme: await databaseFingerprint(ACME_DB),
  app: await databaseFingerprint(stack.appDbUrl),
};

const grace = await userToken(stack, USERS.grace);
const alice = await userToken(stack, USERS.alice);
const bob = await userToken(stack, USERS.bob);
const ivan = await userToken(stack, USERS.ivan);
const olivia = await userToken(stack, USERS.olivia);
const mallory = await userToken(stack, USERS.mallory);
const asGlobex = { sub: USERS.grace.id, tenant_id: TENANTS.globex, tenant_role: "owner" };

/** Marks this run's rows; each test deletes what it wrote. */
const RUN = `e2e-attack-${crypto.randomUUID().slice(0, 8)}`;
const INITECH_ACCOUNT = "10300000-0000-4000-8000-000000000001";
const INITECH_STAGE = "12300000-0000-4000-8000-000000000001";
const GLOBEX_ACCOUNT = "10200000-0000-4000-8000-000000000001";
const ACME_ACCOUNT = "10100000-0000-4000-8000-000000000001";
const ACME_TASK = "19100000-0000-4000-8000-000000000001";

type Row = Record<string, unknown>;

function codeOf(response: GatewayResponse): unknown {
  return (response.json as Row | undefined)?.code;
}

/** What really is in a table for this run (as the database owner, no RLS). */
async function runRows(url: string, table: string, column = "name"): Promise<Row[]> {
  return await adminSql(
    url,
    async (sql) =>
      (await sql<{ row: Row }[]>`select to_jsonb(t) as row from ${sql("public")}.${sql(table)} as t
      where ${sql(column)} like ${`${RUN}%`}`).map((r) => r.row),
  );
}

async function rowById(url: string, table: string, id: string): Promise<Row | undefined> {
  return await adminSql(url, async (sql) => {
    const [found] = await sql<{ row: Row }[]>`
      select to_jsonb(t) as row from ${sql("public")}.${sql(table)} as t where id = ${id}`;
    return found?.row;
  });
}

async function cleanUp(): Promise<void> {
  for (const url of [SHARED, ACME_DB]) {
    await adminSql(url, async (sql) => {
      await sql`delete from public.tasks where title like ${`${RUN}%`}`;
      await sql`delete from public.contacts where name like ${`${RUN}%`}`;
      await sql`delete from public.opportunities where name like ${`${RUN}%`}`;
      await sql`delete from public.accounts where name like ${`${RUN}%`}`;
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// Choosing another tenant
// ---------------------------------------------------------------------------------------------------

Deno.test("x-tenant-id naming another tenant (slug or uuid) or none at all answers one identical 403", async () => {
  const tenants = [
    "acme",
    TENANTS.acme,
    "initech",
    TENANTS.initech.toUpperCase(),
    "no-such-tenant",
    crypto.randomUUID(),
    "globex'; drop table public.tenants; --",
    "acme, globex",
  ];
  const bodies = new Set<string>();
  for (const tenant of tenants) {
    for (const method of ["GET", "POST"] as const) {
      const response = await gatewayFetch(stack, "/accounts?select=id,tenant_id", {
        token: grace,
        tenant,
        method,
        ...(method === "POST" ? { body: { name: `${RUN} via header` } } : {}),
      });
      assert.equal(response.status, 403, `${method} with x-tenant-id ${tenant}`);
      assert.equal(codeOf(response), "TR403");
      assertFailsClosed(response, "globex", tenant);
      bodies.add(response.text);
    }
  }
  assert.equal(bodies.size, 1, `the 403 bodies differ: ${[...bodies].join(" / ")}`);
  assert.deepEqual(await runRows(SHARED, "accounts"), []);
  assert.deepEqual(await runRows(ACME_DB, "accounts"), []);
});

Deno.test("a user without any membership gets the same 403 for reads and writes", async () => {
  const notMember = await gatewayFetch(stack, "/accounts?select=id", { token: grace, tenant: "acme" });
  for (const tenant of [undefined, "globex", "acme"]) {
    for (const method of ["GET", "POST", "PATCH", "DELETE"]) {
      const response = await gatewayFetch(stack, `/accounts?id=eq.${GLOBEX_ACCOUNT}`, {
        token: mallory,
        ...(tenant === undefined ? {} : { tenant }),
        method,
        ...(method === "POST" || method === "PATCH" ? { body: { name: `${RUN} mallory` } } : {}),
      });
      assert.equal(response.status, 403, `${method} as mallory, x-tenant-id ${tenant}`);
      assert.equal(response.text, notMember.text);
      assertFailsClosed(response, "globex");
    }
  }
  assert.equal((await rowById(SHARED, "accounts", GLOBEX_ACCOUNT))?.name, "Soylent Foods");
  assert.deepEqual(await runRows(SHARED, "accounts"), []);
});

Deno.test("a tenant_id claim in the token never opens a tenant the user does not belong to", async () => {
  // One membership: the claim is ignored and the user stays in their own tenant.
  const claimed = await userToken(stack, USERS.grace, {
    extraClaims: { tenant_id: TENANTS.initech, tenant_role: "owner" },
  });
  const own = await gatewayFetch(stack, "/accounts?select=id,tenant_id", { token: claimed });
  assert.equal(own.status, 200);
  assertFailsClosed(own, "globex");
  assert.equal((own.json as Row[]).length, 6);

  // Several memberships: a claim naming another tenant chooses nothing (400), never that tenant.
  const oliviaClaimed = await userToken(stack, USERS.olivia, { extraClaims: { tenant_id: TENANTS.initech } });
  const none = await gatewayFetch(stack, "/accounts?select=id,tenant_id", { token: oliviaClaimed });
  assert.equal(none.status, 400);
  assert.equal(codeOf(none), "TR401");
  assertFailsClosed(none, "globex");
});

// ---------------------------------------------------------------------------------------------------
// Reaching another tenant's rows through filters, writes and foreign keys
// ---------------------------------------------------------------------------------------------------

Deno.test("filters naming another tenant's id or rows return nothing of that tenant", async () => {
  const initechRows = await adminSql(
    SHARED,
    (sql) => sql`select count(*)::int as n from public.accounts where tenant_id = ${TENANTS.initech}`,
  );
  assert.ok((initechRows[0]?.n ?? 0) > 0, "initech has rows in the shared database");

  const queries: { query: string; rows: number }[] = [
    { query: `tenant_id=eq.${TENANTS.initech}`, rows: 0 },
    { query: `tenant_id=neq.${TENANTS.globex}`, rows: 0 },
    { query: `tenant_id=in.(${TENANTS.initech},${TENANTS.acme})`, rows: 0 },
    { query: `id=eq.${INITECH_ACCOUNT}`, rows: 0 },
    { query: `or=(tenant_id.eq.${TENANTS.initech},tenant_id.eq.${TENANTS.acme})`, rows: 0 },
    { query: `or=(tenant_id.eq.${TENANTS.initech},name.neq.x)`, rows: 6 },
    { query: `or=(id.eq.${INITECH_ACCOUNT},and(tenant_id.eq.${TENANTS.initech},name.not.is.null))`, rows: 0 },
    { query: `tenant_id=not.eq.${TENANTS.globex}`, rows: 0 },
    { query: `select=id,tenant_id,contacts(id,tenant_id)&contacts.tenant_id=eq.${TENANTS.initech}`, rows: 6 },
  ];
  for (const { query, rows } of queries) {
    const path = query.startsWith("select=")
      ? `/accounts?${query}`
      : `/accounts?select=id,tenant_id&${query}`;
    const response = await gatewayFetch(stack, path, { token: grace });
    assert.equal(response.status, 200, `${query}: ${response.text}`);
    assertFailsClosed(response, "globex");
    assert.equal((response.json as Row[]).length, rows, query);
  }
  const expected = await sqlAsTenant(
    SHARED,
    asGlobex,
    (tx) =>
      tx`select id from public.accounts where tenant_id = ${TENANTS.initech} or name <> 'x' order by id`,
  );
  const { data } = await gatewayClient(stack, grace).from("accounts").select("id")
    .or(`tenant_id.eq.${TENANTS.initech},name.neq.x`).order("id");
  assert.deepEqual(data, expected.map((row) => ({ ...row })));
});

Deno.test("counts (exact, planned, estimated) cover only the caller's rows", async () => {
  const [expected] = await sqlAsTenant(
    SHARED,
    asGlobex,
    (tx) => tx`select count(*)::int as n from public.contacts`,
  );
  const [all] = await adminSql(SHARED, (sql) => sql`select count(*)::int as n from public.contacts`);
  assert.ok((all?.n ?? 0) > (expected?.n ?? 0), "the shared database holds other tenants' contacts too");
  for (const count of ["exact", "planned", "estimated"]) {
    const response = await gatewayFetch(stack, "/contacts?select=id", {
      token: grace,
      method: "HEAD",
      headers: { prefer: `count=${count}` },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-range")?.split("/")[1], String(expected?.n), count);
  }
});

Deno.test("an insert reusing another tenant's row id answers 409 without revealing that row", async () => {
  try {
    const response = await gatewayFetch(stack, "/accounts?select=id,name,tenant_id", {
      token: grace,
      method: "POST",
      headers: { prefer: "return=representation" },
      body: { id: INITECH_ACCOUNT, name: `${RUN} same id` },
    });
    assert.equal(response.status, 409);
    assert.deepEqual(response.json, {
      code: "23505",
      message: 'duplicate key value violates unique constraint "accounts_pkey"',
      details: null,
      hint: null,
    });
    assertFailsClosed(response, "globex");
    assert.deepEqual(await runRows(SHARED, "accounts"), []);
  } finally {
    await cleanUp();
  }
});

Deno.test("an insert carrying another tenant's tenant_id answers 403 (42501) and writes nothing", async () => {
  try {
    const cases: { token: string; tenant: string; body: Row }[] = [
      { token: grace, tenant: "globex", body: { name: `${RUN} to initech`, tenant_id: TENANTS.initech } },
      { token: grace, tenant: "globex", body: { name: `${RUN} to acme`, tenant_id: TENANTS.acme } },
      { token: alice, tenant: "acme", body: { name: `${RUN} to globex`, tenant_id: TENANTS.globex } },
      { token: ivan, tenant: "initech", body: { name: `${RUN} to globex`, tenant_id: TENANTS.globex } },
    ];
    for (const { token, tenant, body } of cases) {
      for (const prefer of ["return=minimal", "return=representation", "resolution=merge-duplicates"]) {
        const response = await gatewayFetch(stack, "/accounts", {
          token,
          method: "POST",
          headers: { prefer },
          body: [body],
        });
        assert.equal(response.status, 403, `${tenant} → ${body.tenant_id} (${prefer}): ${response.text}`);
        assert.equal(codeOf(response), "42501");
        assertFailsClosed(response, tenant as keyof typeof TENANTS);
      }
    }
    assert.deepEqual(await runRows(SHARED, "accounts"), []);
    assert.deepEqual(await runRows(ACME_DB, "accounts"), []);
  } finally {
    await cleanUp();
  }
});

Deno.test("an update moving a row to another tenant answers 403 (42501) and moves nothing", async () => {
  try {
    const globex = gatewayClient(stack, grace);
    const created = await globex.from("tasks").insert({ title: `${RUN} task`, account_id: GLOBEX_ACCOUNT })
      .select("id").single();
    assert.equal(created.error, null);
    for (const tenantId of [TENANTS.initech, TENANTS.acme, crypto.randomUUID()]) {
      const moved: { status: number; error: { code: string } | null } = await globex.from("tasks").update({
        tenant_id: tenantId,
        account_id: null,
      })
        .eq("id", created.data?.id as string);
      assert.equal(moved.status, 403, JSON.stringify(moved.error));
      assert.equal(moved.error?.code, "42501");
    }
    const row = await rowById(SHARED, "tasks", created.data?.id);
    assert.equal(row?.tenant_id, TENANTS.globex);
    assert.equal(row?.account_id, GLOBEX_ACCOUNT);
  } finally {
    await cleanUp();
  }
});

Deno.test("an update or delete of another tenant's row by its id changes nothing", async () => {
  const globex = gatewayClient(stack, grace);
  const before = await rowById(SHARED, "accounts", INITECH_ACCOUNT);
  const updated = await globex.from("accounts").update({ name: `${RUN} pwned` }).eq("id", INITECH_ACCOUNT)
    .select();
  assert.equal(updated.error, null);
  assert.deepEqual(updated.data, []);
  const deleted = await globex.from("accounts").delete({ count: "exact" }).eq("id", INITECH_ACCOUNT);
  assert.equal(deleted.error, null);
  assert.equal(deleted.count, 0);
  assert.deepEqual(await rowById(SHARED, "accounts", INITECH_ACCOUNT), before);
});

Deno.test("an update or delete whose filter also matches another tenant's rows touches only the caller's", async () => {
  try {
    // Two rows with the same title in the shared database: one globex, one initech.
    for (const [token, tenant] of [[grace, "globex"], [ivan, "initech"]] as const) {
      const created = await gatewayClient(stack, token).from("tasks")
        .insert({ title: `${RUN} twin`, account_id: tenant === "globex" ? GLOBEX_ACCOUNT : INITECH_ACCOUNT });
      assert.equal(created.error, null);
    }
    const globex = gatewayClient(stack, grace);
    const updated = await globex.from("tasks").update({ status: "done" }).like("title", `${RUN}*`)
      .select("tenant_id, status");
    assert.equal(updated.error, null);
    assert.deepEqual(updated.data, [{ tenant_id: TENANTS.globex, status: "done" }]);
    const deleted = await globex.from("tasks").delete({ count: "exact" }).like("title", `${RUN}*`);
    assert.equal(deleted.error, null);
    assert.equal(deleted.count, 1);
    const left = await runRows(SHARED, "tasks", "title");
    assert.deepEqual(left.map((row) => [row.tenant_id, row.status]), [[TENANTS.initech, "todo"]]);
  } finally {
    await cleanUp();
  }
});

Deno.test("an upsert onto another tenant's primary key cannot take over or reveal its row", async () => {
  try {
    const before = await rowById(SHARED, "accounts", INITECH_ACCOUNT);
    const merge = await gatewayFetch(stack, "/accounts?select=id,name,tenant_id", {
      token: grace,
      method: "POST",
      headers: { prefer: "resolution=merge-duplicates, return=representation" },
      body: { id: INITECH_ACCOUNT, name: `${RUN} taken over` },
    });
    assert.equal(merge.status, 403, merge.text);
    assert.equal(codeOf(merge), "42501");
    assertFailsClosed(merge, "globex");

    const ignore = await gatewayFetch(stack, "/accounts?select=id,name,tenant_id", {
      token: grace,
      method: "POST",
      headers: { prefer: "resolution=ignore-duplicates, return=representation" },
      body: { id: INITECH_ACCOUNT, name: `${RUN} ignored` },
    });
    assert.ok(ignore.status === 201 || ignore.status === 403, ignore.text);
    assertFailsClosed(ignore, "globex");
    if (ignore.status === 201) assert.deepEqual(ignore.json, []);

    assert.deepEqual(await rowById(SHARED, "accounts", INITECH_ACCOUNT), before);
    assert.deepEqual(await runRows(SHARED, "accounts"), []);
  } finally {
    await cleanUp();
  }
});

Deno.test("a foreign key to another tenant's row answers 409 (23503): the composite key holds", async () => {
  try {
    const cases: { token: string; table: string; body: Row; constraint: string }[] = [
      {
        token: grace,
        table: "contacts",
        body: { name: `${RUN} contact`, account_id: INITECH_ACCOUNT },
        constraint: "contacts_account_id_fkey",
      },
      {
        token: grace,
        table: "opportunities",
        body: { name: `${RUN} deal`, account_id: GLOBEX_ACCOUNT, stage_id: INITECH_STAGE },
        constraint: "opportunities_stage_id_fkey",
      },
      {
        token: ivan,
        table: "tasks",
        body: { title: `${RUN} task`, account_id: GLOBEX_ACCOUNT },
        constraint: "tasks_account_id_fkey",
      },
      {
        token: alice,
        table: "contacts",
        body: { name: `${RUN} contact`, account_id: GLOBEX_ACCOUNT },
        constraint: "contacts_account_id_fkey",
      },
    ];
    for (const { token, table, body, constraint } of cases) {
      const response = await gatewayFetch(stack, `/${table}`, { token, method: "POST", body });
      assert.equal(response.status, 409, `${table}: ${response.text}`);
      assert.equal(codeOf(response), "23503");
      assert.match(String((response.json as Row).message), new RegExp(constraint));
      assertFailsClosed(response, token === alice ? "acme" : token === ivan ? "initech" : "globex");
    }

    // Pointing an existing row at another tenant's row fails the same way.
    const globex = gatewayClient(stack, grace);
    const created = await globex.from("contacts").insert({ name: `${RUN} mine`, account_id: GLOBEX_ACCOUNT })
      .select("id").single();
    assert.equal(created.error, null);
    const repointed = await globex.from("contacts").update({ account_id: INITECH_ACCOUNT })
      .eq("id", created.data?.id);
    assert.equal(repointed.status, 409);
    assert.equal(repointed.error?.code, "23503");
    assert.equal((await rowById(SHARED, "contacts", created.data?.id))?.account_id, GLOBEX_ACCOUNT);
    assert.deepEqual((await runRows(SHARED, "contacts")).length, 1);
    assert.deepEqual(await runRows(SHARED, "tasks", "title"), []);
    assert.deepEqual(await runRows(ACME_DB, "contacts"), []);
  } finally {
    await cleanUp();
  }
});

// ---------------------------------------------------------------------------------------------------
// Writing without the right
// ---------------------------------------------------------------------------------------------------

Deno.test("a viewer's insert answers 403 (42501), even with a token claiming tenant_role owner", async () => {
  try {
    const bobClaimingOwner = await userToken(stack, USERS.bob, {
      extraClaims: { tenant_role: "owner", tenant_id: TENANTS.acme, app_metadata: { role: "service_role" } },
    });
    for (const token of [bob, bobClaimingOwner]) {
      for (const apikey of [stack.anonKey, stack.serviceRoleKey]) {
        const response = await gatewayFetch(stack, "/accounts", {
          token,
          apikey,
          method: "POST",
          body: { name: `${RUN} by a viewer` },
        });
        assert.equal(response.status, 403, response.text);
        assert.equal(codeOf(response), "42501");
        assertFailsClosed(response, "acme");
      }
    }
    assert.deepEqual(await runRows(ACME_DB, "accounts"), []);
  } finally {
    await cleanUp();
  }
});

Deno.test("a viewer's update and delete are filtered out by RLS: 0 rows, nothing changed", async () => {
  const viewer = gatewayClient(stack, bob);
  const account = await rowById(ACME_DB, "accounts", ACME_ACCOUNT);
  assert.ok(account, "the acme account exists");

  const updated = await viewer.from("accounts").update({ name: `${RUN} renamed by a viewer` })
    .eq("id", ACME_ACCOUNT).select();
  assert.equal(updated.error, null);
  assert.equal(updated.status, 200);
  assert.deepEqual(updated.data, []);

  const updatedAll = await viewer.from("tasks").update({ status: "done" }, { count: "exact" })
    .not("id", "is", null);
  assert.equal(updatedAll.error, null);
  assert.equal(updatedAll.count, 0);

  const deleted = await viewer.from("accounts").delete({ count: "exact" }).eq("id", ACME_ACCOUNT);
  assert.equal(deleted.error, null);
  assert.equal(deleted.status, 204);
  assert.equal(deleted.count, 0);

  assert.deepEqual(await rowById(ACME_DB, "accounts", ACME_ACCOUNT), account);
  assert.equal((await rowById(ACME_DB, "tasks", ACME_TASK))?.status, "todo");
  // The viewer still reads: the refusals are about writing, not about the tenant.
  const read = await viewer.from("accounts").select("id").eq("id", ACME_ACCOUNT);
  assert.deepEqual(read.data, [{ id: ACME_ACCOUNT }]);
});

Deno.test("a member deletes rows they created, and no one else's (0 rows)", async () => {
  try {
    const member = gatewayClient(stack, olivia, "acme");
    const byAlice = await member.from("tasks").delete({ count: "exact" }).eq("id", ACME_TASK);
    assert.equal(byAlice.error, null);
    assert.equal(byAlice.count, 0);
    assert.ok(await rowById(ACME_DB, "tasks", ACME_TASK), "alice's task is still there");

    const own = await member.from("tasks").insert({ title: `${RUN} olivia's`, account_id: ACME_ACCOUNT })
      .select("id, created_by").single();
    assert.equal(own.error, null);
    assert.equal(own.data?.created_by, USERS.olivia.id);
    const deleted = await member.from("tasks").delete({ count: "exact" }).eq("id", own.data?.id);
    assert.equal(deleted.error, null);
    assert.equal(deleted.count, 1);
    assert.equal(await rowById(ACME_DB, "tasks", own.data?.id), undefined);
  } finally {
    await cleanUp();
  }
});

// ---------------------------------------------------------------------------------------------------
// Authentication
// ---------------------------------------------------------------------------------------------------

function base64url(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function userClaims(user: { id: string; email: string }, extra: Row = {}): Row {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: user.id,
    role: "authenticated",
    aud: "authenticated",
    email: user.email,
    iat: now,
    exp: now + 3600,
    ...extra,
  };
}

/** A token with any header and claims, signed HS256 with `secret` (or unsigned with `signature: ""`). */
async function craftToken(
  header: Row,
  claims: Row,
  options: { secret?: string; signature?: string } = {},
): Promise<string> {
  const input = `${base64url(header)}.${base64url(claims)}`;
  if (options.signature !== undefined) return `${input}.${options.signature}`;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(options.secret ?? stack.jwtSecret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(input)));
  return `${input}.${
    btoa(String.fromCharCode(...mac)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
  }`;
}

const HS256 = { alg: "HS256", typ: "JWT" };
const signedWith = async (claims: Row) => await craftToken(HS256, claims);
const graceClaims = userClaims(USERS.grace);

const TOKEN_ATTACKS: {
  name: string;
  options: () => Promise<Omit<GatewayFetchOptions, "method" | "body">>;
  status: number;
  code: string;
}[] = [
  {
    name: "a token signed with another secret",
    options: async () => ({
      token: await userToken(stack, USERS.grace, {
        secret: "not-the-project-secret-but-long-enough-to-sign",
      }),
    }),
    status: 401,
    code: "PGRST301",
  },
  {
    name: "an expired token",
    options: async () => ({ token: await userToken(stack, USERS.grace, { expiresIn: -60 }) }),
    status: 401,
    code: "PGRST301",
  },
  {
    name: "a token without exp",
    options: async () => ({ token: await signedWith({ ...graceClaims, exp: undefined }) }),
    status: 401,
    code: "PGRST301",
  },
  {
    name: "a token not valid yet (nbf in an hour)",
    options: async () => ({
      token: await signedWith({ ...graceClaims, nbf: Math.floor(Date.now() / 1000) + 3600 }),
    }),
    status: 401,
    code: "PGRST301",
  },
  {
    name: "alg none with no signature",
    options: async () => ({
      token: await craftToken({ alg: "none", typ: "JWT" }, graceClaims, { signature: "" }),
    }),
    status: 401,
    code: "PGRST301",
  },
  {
    name: "alg none carrying a valid HS256 signature",
    options: async () => {
      const valid = await signedWith(graceClaims);
      const signature = valid.split(".")[2] ?? "";
      return { token: await craftToken({ alg: "none", typ: "JWT" }, graceClaims, { signature }) };
    },
    status: 401,
    code: "PGRST301",
  },
  {
    name: "alg HS512 signed with the project secret",
    options: async () => ({
      token: await new SignJWT(graceClaims).setProtectedHeader({ alg: "HS512" })
        .sign(new TextEncoder().encode(stack.jwtSecret)),
    }),
    status: 401,
    code: "PGRST301",
  },
  {
    name: "alg RS256 with an HMAC signature (algorithm confusion)",
    options: async () => ({ token: await craftToken({ alg: "RS256", typ: "JWT" }, graceClaims) }),
    status: 401,
    code: "PGRST301",
  },
  {
    name: "a tampered payload (claims of alice, signature of grace)",
    options: async () => {
      const [header, , signature] = (await signedWith(graceClaims)).split(".");
      return { token: `${header}.${base64url(userClaims(USERS.alice))}.${signature}` };
    },
    status: 401,
    code: "PGRST301",
  },
  {
    name: "the service_role key as the bearer",
    options: () => Promise.resolve({ token: stack.serviceRoleKey }),
    status: 401,
    code: "PGRST301",
  },
  {
    name: "a user-looking token with role service_role",
    options: async () => ({ token: await signedWith({ ...graceClaims, role: "service_role" }) }),
    status: 401,
    code: "PGRST301",
  },
  {
    name: "a user-looking token with role postgres",
    options: async () => ({ token: await signedWith({ ...graceClaims, role: "postgres" }) }),
    status: 401,
    code: "PGRST301",
  },
  {
    name: "a token with sub that is not a user id",
    options: async () => ({ token: await signedWith({ ...graceClaims, sub: "' or 1=1 --" }) }),
    status: 401,
    code: "PGRST301",
  },
  {
    name: "a token for another audience",
    options: async () => ({ token: await signedWith({ ...graceClaims, aud: "anon" }) }),
    status: 401,
    code: "PGRST301",
  },
  {
    name: "the anon key as the bearer",
    options: () => Promise.resolve({ token: stack.anonKey }),
    status: 401,
    code: "PGRST302",
  },
  {
    name: "no Authorization header",
    options: () => Promise.resolve({ token: null }),
    status: 401,
    code: "PGRST302",
  },
  {
    name: "Basic credentials instead of a bearer token",
    options: () =>
      Promise.resolve({ token: null, headers: { authorization: `Basic ${btoa("postgres:postgres")}` } }),
    status: 401,
    code: "PGRST301",
  },
  {
    name: "two bearer tokens",
    options: () => Promise.resolve({ token: null, headers: { authorization: `Bearer ${grace} ${alice}` } }),
    status: 401,
    code: "PGRST301",
  },
  {
    name: "a token longer than any real one",
    options: async () => ({ token: await signedWith({ ...graceClaims, padding: "x".repeat(10_000) }) }),
    status: 401,
    code: "PGRST301",
  },
  {
    name: "a missing apikey",
    options: () => Promise.resolve({ token: grace, apikey: null }),
    status: 401,
    code: "TR001",
  },
  {
    name: "a user token as the apikey",
    options: () => Promise.resolve({ token: grace, apikey: grace }),
    status: 401,
    code: "TR001",
  },
  {
    name: "an anon key signed with another secret as the apikey",
    options: async () => ({
      token: grace,
      apikey: await craftToken(HS256, { role: "anon", iss: "supabase-demo", exp: 1983812996 }, {
        secret: "not-the-project-secret-but-long-enough-to-sign",
      }),
    }),
    status: 401,
    code: "TR001",
  },
  {
    name: "a valid token of a user who is not in the directory",
    options: async () => ({ token: await signedWith({ ...graceClaims, sub: crypto.randomUUID() }) }),
    status: 403,
    code: "TR403",
  },
];

for (const attack of TOKEN_ATTACKS) {
  Deno.test(`authentication: ${attack.name} answers ${attack.status} ${attack.code} for reads and writes`, async () => {
    const options = await attack.options();
    for (const method of ["GET", "POST", "PATCH", "DELETE"]) {
      const response = await gatewayFetch(stack, `/accounts?id=eq.${GLOBEX_ACCOUNT}`, {
        ...options,
        method,
        ...(method === "POST" || method === "PATCH" ? { body: { name: `${RUN} unauthenticated` } } : {}),
      });
      assert.equal(response.status, attack.status, `${method}: ${response.text}`);
      assert.equal(codeOf(response), attack.code, method);
      assertFailsClosed(response, "globex");
      if (response.status === 401 && attack.code !== "TR001") {
        assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer/);
      }
    }
    assert.equal((await rowById(SHARED, "accounts", GLOBEX_ACCOUNT))?.name, "Soylent Foods");
    assert.deepEqual(await runRows(SHARED, "accounts"), []);
  });
}

// ---------------------------------------------------------------------------------------------------
// Injection through the query language
// ---------------------------------------------------------------------------------------------------

const VALUES = [
  "'; drop table public.accounts; --",
  "' or '1'='1",
  '") or ("1"="1',
  "%",
  "_",
  "\\",
  "\\'",
  "$1",
  "$$; drop table public.accounts; $$",
  "Zoë O'Connor 李小龍 🪨 Müller & Töchter",
  '(),.:"*',
  "\r\nx-injected: 1",
  "a".repeat(3000),
  "\u0000",
  "a\u0000b",
];

/** The PostgREST operators tried with each value, and the SQL each means. */
const OPERATORS: { op: string; param: (value: string) => string; sql: string }[] = [
  { op: "eq", param: (v) => `eq.${v}`, sql: "name = $1" },
  { op: "neq", param: (v) => `neq.${v}`, sql: "name <> $1" },
  { op: "gt", param: (v) => `gt.${v}`, sql: "name > $1" },
  { op: "like", param: (v) => `like.${v}`, sql: "name like replace($1, '*', '%')" },
  { op: "ilike", param: (v) => `ilike.${v}`, sql: "name ilike replace($1, '*', '%')" },
  {
    op: "in",
    param: (v) => `in.("${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}")`,
    sql: "name = any(array[$1])",
  },
];

for (const { op, param, sql } of OPERATORS) {
  Deno.test(`injection: values in a ${op} filter are bound as data and match what SQL as the tenant returns`, async () => {
    for (const value of VALUES) {
      const response = await gatewayFetch(
        stack,
        `/accounts?select=id,tenant_id&order=id&name=${encodeURIComponent(param(value))}`,
        { token: grace },
      );
      const label = `${op} ${JSON.stringify(value.slice(0, 40))}`;
      assertFailsClosed(response, "globex", value);
      let expected: Row[] | "error";
      try {
        expected = await sqlAsTenant(
          SHARED,
          asGlobex,
          async (tx) =>
            (await tx.unsafe(`select id, tenant_id from public.accounts where ${sql} order by id`, [value]))
              .map((row) => ({ ...row })),
        );
      } catch {
        expected = "error";
      }
      if (expected === "error") {
        assert.equal(response.status, 400, `${label}: ${response.text}`);
      } else {
        assert.equal(response.status, 200, `${label}: ${response.text}`);
        assert.deepEqual(response.json, expected, label);
      }
    }
  });
}

const MALFORMED: {
  name: string;
  path: string;
  status: number;
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
}[] = [
  {
    name: "a select closing a parenthesis",
    path: "/accounts?select=id,name);drop table accounts;--",
    status: 400,
  },
  {
    name: "a quoted column name with SQL in it",
    path: '/accounts?select=id,"name);drop table accounts;--"',
    status: 400,
  },
  { name: "a column name with a quote", path: "/accounts?select=id,na'me", status: 400 },
  {
    name: "a select with a statement separator",
    path: "/accounts?select=id;drop table accounts",
    status: 400,
  },
  { name: "an order with a statement separator", path: "/accounts?select=id&order=id;drop", status: 400 },
  {
    name: "an order direction with SQL",
    path: "/accounts?select=id&order=id.desc;drop table accounts",
    status: 400,
  },
  { name: "an order on a quoted name with SQL", path: '/accounts?select=id&order="id;drop"', status: 400 },
  { name: "an order on an expression", path: "/accounts?select=id&order=(select 1)", status: 400 },
  { name: "a cast with a statement separator", path: "/accounts?select=id::text;drop", status: 400 },
  { name: "a cast to a quoted type with SQL", path: '/accounts?select=id::"text;drop"', status: 400 },
  { name: "a cast to a function", path: "/accounts?select=id::pg_sleep", status: 400 },
  { name: "a function call in select", path: "/accounts?select=pg_sleep(5)", status: 400 },
  { name: "a JSON path closing a parenthesis", path: "/accounts?select=address->>'city');drop", status: 400 },
  {
    name: "a JSON path key with SQL in a filter",
    path: "/accounts?select=id&address->>city'); drop table accounts;--=eq.x",
    status: 400,
  },
  {
    name: "a JSON path key with a quote",
    path: "/accounts?select=id,address->>'ci''ty'&address->>'x''y'=eq.1",
    status: 200,
  },
  {
    name: "an embedded resource closing a parenthesis",
    path: "/accounts?select=id,contacts);drop table x(id)",
    status: 400,
  },
  {
    name: "an embedded resource with SQL in its name",
    path: '/accounts?select=id,"contacts;drop"(id)',
    status: 400,
  },
  { name: "an embedded catalog table", path: "/accounts?select=id,pg_authid(*)", status: 400 },
  {
    name: "an embedded schema-qualified table",
    path: "/accounts?select=id,private.schema_info(*)",
    status: 400,
  },
  { name: "an embedded control-plane table", path: "/accounts?select=id,tenants(*)", status: 400 },
  {
    name: "a filter on an embedded resource's SQL name",
    path: "/accounts?select=id,contacts(id)&contacts;drop.id=eq.1",
    status: 400,
  },
  { name: "an unknown operator", path: "/accounts?select=id&name=sql.1", status: 400 },
  { name: "an is filter with SQL", path: "/accounts?select=id&name=is.null;drop", status: 400 },
  { name: "a table name with SQL", path: "/accounts;drop table accounts", status: 404 },
  { name: "a schema-qualified table", path: "/private.schema_info?select=*", status: 404 },
  { name: "a catalog table", path: "/pg_catalog.pg_authid?select=*", status: 404 },
  { name: "a NUL in the table name", path: "/accounts%00", status: 404 },
  {
    name: "another schema by Accept-Profile",
    path: "/schema_info?select=*",
    status: 406,
    headers: { "accept-profile": "private" },
  },
  {
    name: "pg_catalog by Accept-Profile",
    path: "/pg_authid?select=*",
    status: 406,
    headers: { "accept-profile": "pg_catalog" },
  },
  {
    name: "another schema by Content-Profile",
    path: "/accounts",
    status: 406,
    method: "POST",
    body: { name: `${RUN} profile` },
    headers: { "content-profile": "private" },
  },
  {
    name: "an on_conflict closing a parenthesis",
    path: "/products?on_conflict=id);drop table x;--",
    status: 400,
    method: "POST",
    body: { name: `${RUN} x` },
    headers: { prefer: "resolution=merge-duplicates" },
  },
  {
    name: "an on_conflict on an unknown column",
    path: "/products?on_conflict=sku;drop",
    status: 400,
    method: "POST",
    body: { name: `${RUN} x` },
    headers: { prefer: "resolution=merge-duplicates" },
  },
  {
    name: "a columns list with SQL",
    path: '/products?columns=name,"sku);drop"',
    status: 400,
    method: "POST",
    body: [{ name: `${RUN} x` }],
  },
  {
    name: "a body key with SQL",
    path: "/accounts",
    status: 400,
    method: "POST",
    body: { "name); drop table accounts;--": "x" },
  },
  { name: "a body that is not JSON", path: "/accounts", status: 400, method: "POST", body: "{'name': 'x'" },
  { name: "a body of scalars", path: "/accounts", status: 400, method: "POST", body: "[1, 2, 3]" },
  {
    name: "an update setting an unknown column",
    path: `/accounts?id=eq.${GLOBEX_ACCOUNT}`,
    status: 400,
    method: "PATCH",
    body: { "name\" = 'x', tenant_id = tenant_id --": "y" },
  },
  {
    name: "a GET asking to be treated as a DELETE",
    path: `/accounts?select=id&id=eq.${GLOBEX_ACCOUNT}`,
    status: 200,
    headers: { "x-http-method-override": "DELETE", "x-method-override": "DELETE" },
  },
  {
    name: "a Prefer header with SQL",
    path: "/accounts?select=id&limit=1",
    status: 200,
    headers: { prefer: "return=representation; drop table accounts, count=exact'--" },
  },
];

for (const attack of MALFORMED) {
  Deno.test(`injection: ${attack.name} answers ${attack.status} and runs nothing`, async () => {
    try {
      const response = await gatewayFetch(stack, attack.path, {
        token: grace,
        ...(attack.method ? { method: attack.method } : {}),
        ...(attack.body === undefined ? {} : { body: attack.body }),
        ...(attack.headers ? { headers: attack.headers } : {}),
      });
      assert.equal(response.status, attack.status, response.text);
      assertFailsClosed(response, "globex", decodeURIComponent(attack.path.split("?")[1] ?? ""));
      assert.deepEqual(await runRows(SHARED, "products"), []);
      assert.deepEqual(await runRows(SHARED, "accounts"), []);
    } finally {
      await cleanUp();
      await adminSql(SHARED, (sql) => sql`delete from public.products where name like ${`${RUN}%`}`);
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// Size and depth
// ---------------------------------------------------------------------------------------------------

Deno.test("a huge limit, offset or Range is capped or refused, never a 5xx", async () => {
  const cases: { path: string; headers?: Record<string, string>; status: number[] }[] = [
    { path: "/contacts?select=id,tenant_id&limit=10000", status: [200] },
    { path: "/contacts?select=id&limit=999999999999", status: [400] },
    { path: "/contacts?select=id&limit=99999999999999999999999999", status: [400] },
    { path: "/contacts?select=id&limit=-1", status: [400, 416] },
    { path: "/contacts?select=id&offset=99999999999999999999", status: [400] },
    { path: "/contacts?select=id&limit=1e9", status: [400] },
    { path: "/contacts?select=id", headers: { range: "0-999999999999" }, status: [200, 206, 416] },
    { path: "/contacts?select=id", headers: { range: "-5" }, status: [200, 206, 416] },
    { path: "/contacts?select=id&contacts.limit=99999999999", status: [400] },
  ];
  for (const { path, headers, status } of cases) {
    const response = await gatewayFetch(stack, path, { token: grace, ...(headers ? { headers } : {}) });
    assert.ok(
      status.includes(response.status),
      `${path} ${JSON.stringify(headers)}: ${response.status} ${response.text}`,
    );
    assertFailsClosed(response, "globex");
    if (response.status === 200) assert.ok((response.json as Row[]).length <= 1000);
  }
});

Deno.test("deep nesting of logic trees and embeds is refused with 400", async () => {
  const deepOr = `or=(${"or(".repeat(200)}id.is.null${")".repeat(200)})`;
  const deepAnd = `and=(${"and(id.is.null,".repeat(40)}id.is.null${")".repeat(40)})`;
  let embed = "id";
  for (let i = 0; i < 60; i++) embed = `id,${i % 2 ? "account:accounts" : "contacts"}(${embed})`;
  for (
    const path of [
      `/accounts?select=id&${deepOr}`,
      `/accounts?select=id&${deepAnd}`,
      `/contacts?select=${embed}`,
    ]
  ) {
    const response = await gatewayFetch(stack, path, { token: grace });
    assert.equal(response.status, 400, response.text);
    assertFailsClosed(response, "globex");
  }
});

Deno.test("a select or order list wider than PostgreSQL allows is refused with 400, not 500", async () => {
  const select = Array.from({ length: 1700 }, (_, i) => `a${i}:address->>k${i}`).join(",");
  const order = Array.from({ length: 1700 }, (_, i) => `address->>k${i}`).join(",");
  for (const path of [`/accounts?select=${select}`, `/accounts?select=id&order=${order}`]) {
    const response = await gatewayFetch(stack, path, { token: grace });
    assert.equal(response.status, 400, `${response.status} ${response.text.slice(0, 200)}`);
    assertFailsClosed(response, "globex");
  }
});

Deno.test("a deeply nested JSON body is refused with 400, not 500, and writes nothing", async () => {
  try {
    const deepObject = `${'{"a":'.repeat(50_000)}1${"}".repeat(50_000)}`;
    const deepArray = `${"[".repeat(50_000)}${"]".repeat(50_000)}`;
    const cases = [
      { table: "accounts", body: `{"name":"${RUN} deep","address":${deepObject}}` },
      { table: "events", body: `{"name":"${RUN} deep","agenda":${deepArray}}` },
    ];
    for (const { table, body } of cases) {
      const response = await gatewayFetch(stack, `/${table}`, { token: grace, method: "POST", body });
      assert.equal(response.status, 400, `${table}: ${response.status} ${response.text.slice(0, 300)}`);
      assertFailsClosed(response, "globex");
      assert.doesNotMatch(response.text, /max_stack_depth/, "the body names a server setting");
    }
    assert.deepEqual(await runRows(SHARED, "accounts"), []);
  } finally {
    await cleanUp();
    await adminSql(SHARED, (sql) => sql`delete from public.events where name like ${`${RUN}%`}`);
  }
});

Deno.test("a body over the size limit answers 413 and writes nothing", async () => {
  const response = await gatewayFetch(stack, "/accounts", {
    token: grace,
    method: "POST",
    body: { name: `${RUN} big`, description: "x".repeat(2_000_000) },
  });
  assert.equal(response.status, 413);
  assertFailsClosed(response, "globex");
  assert.deepEqual(await runRows(SHARED, "accounts"), []);
});

Deno.test("after every attack both tenant databases and the application database are unchanged", async () => {
  assert.deepEqual(await databaseFingerprint(SHARED), before.shared);
  assert.deepEqual(await databaseFingerprint(ACME_DB), before.acme);
  assert.deepEqual(await databaseFingerprint(stack.appDbUrl), before.app);
});
