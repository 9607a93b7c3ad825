import assert from "node:assert/strict";
import postgres from "postgres";
import { createScratchDatabase, ROOT } from "../admin/testdata/helpers.ts";
import { bootstrapSupabaseImage, missingSupabaseImage, SUPABASE_IMAGE_STATEMENTS } from "./supabase_image.ts";

const dbUrl = Deno.env.get("SUPABASE_DB_URL");

/** The body of each `auth.<name>()` function in `sql`, whitespace collapsed. */
function authFunctionBodies(sql: string): Map<string, string> {
  const bodies = new Map<string, string>();
  for (
    const match of sql.matchAll(
      /function auth\.(\w+)\(\) returns \w+\s+language sql stable\s+as \$\$([^$]*)\$\$/g,
    )
  ) {
    bodies.set(match[1]!, match[2]!.replace(/\s+/g, " ").trim());
  }
  return bodies;
}

Deno.test("the auth functions are those of the local stack's bootstrap.sql, body for body", async () => {
  const stack = authFunctionBodies(await Deno.readTextFile(`${ROOT}/scripts/stack/bootstrap.sql`));
  const image = authFunctionBodies(SUPABASE_IMAGE_STATEMENTS.join("\n"));
  assert.deepEqual([...image.keys()].sort(), ["email", "jwt", "role", "uid"]);
  for (const [name, body] of image) assert.equal(body, stack.get(name), `auth.${name}()`);
});

Deno.test({
  name:
    "missingSupabaseImage() names what a plain database lacks; bootstrapSupabaseImage() adds it, twice safely",
  async fn() {
    const plain = await createScratchDatabase(dbUrl!);
    const sql = postgres(plain.url, { max: 1, onnotice: () => {} });
    try {
      // The test cluster has the roles (they are cluster-wide); a new database has no auth schema.
      assert.deepEqual(await missingSupabaseImage(sql), [
        "schema auth",
        "function auth.uid()",
        "function auth.role()",
        "function auth.email()",
        "function auth.jwt()",
      ]);
      await bootstrapSupabaseImage(sql);
      assert.deepEqual(await missingSupabaseImage(sql), []);
      await bootstrapSupabaseImage(sql);
      assert.deepEqual(await missingSupabaseImage(sql), []);

      const claims = { sub: crypto.randomUUID(), role: "authenticated", email: "zoë@example.test" };
      const [read] = await sql.begin(async (tx) => {
        await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
        await tx`set local role authenticated`;
        return await tx<{ uid: string; role: string; email: string; jwt: Record<string, unknown> }[]>`
          select auth.uid() as uid, auth.role() as role, auth.email() as email, auth.jwt() as jwt`;
      });
      assert.deepEqual(read, { uid: claims.sub, role: "authenticated", email: claims.email, jwt: claims });
    } finally {
      await sql.end();
      await plain.drop();
    }
  },
});

Deno.test({
  name: "missingSupabaseImage() finds nothing missing in a database bootstrapped like the local stack's",
  async fn() {
    const stackLike = await createScratchDatabase(dbUrl!, { bootstrap: true });
    const sql = postgres(stackLike.url, { max: 1, onnotice: () => {} });
    try {
      assert.deepEqual(await missingSupabaseImage(sql), []);
    } finally {
      await sql.end();
      await stackLike.drop();
    }
  },
});

Deno.test({
  name: "missingSupabaseImage() names the API roles a login role is not a member of; bootstrap grants them",
  async fn() {
    const plain = await createScratchDatabase(dbUrl!);
    const login = `tr_plain_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
    const admin = postgres(dbUrl!, { max: 1, onnotice: () => {} });
    try {
      // An owner of the database that is not a superuser, as on a managed PostgreSQL.
      await admin.unsafe(`create role ${login} login password 'plain' createrole`);
      await admin.unsafe(`alter database ${plain.name} owner to ${login}`);
      const url = new URL(plain.url);
      url.username = login;
      url.password = "plain";
      const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
      try {
        const missing = await missingSupabaseImage(sql);
        assert.deepEqual(missing.slice(0, 3), [
          "membership of the connecting role in anon",
          "membership of the connecting role in authenticated",
          "membership of the connecting role in service_role",
        ]);
        assert.ok(missing.includes("schema auth"));
        await bootstrapSupabaseImage(sql);
        assert.deepEqual(await missingSupabaseImage(sql), []);
        const [role] = await sql.begin(async (tx) => {
          await tx`set local role authenticated`;
          return await tx<{ role: string }[]>`select current_user as role`;
        });
        assert.equal(role?.role, "authenticated", "the login role may now act as authenticated");
      } finally {
        await sql.end();
      }
    } finally {
      await admin.end();
      await plain.drop();
      const cleanup = postgres(dbUrl!, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop role if exists ${login}`).finally(() => cleanup.end());
    }
  },
});
