import assert from "node:assert/strict";
import postgres from "postgres";
import type { Catalog } from "../catalog/mod.ts";
import { requireEnv } from "../testing/require_env.ts";
import { primeConnection } from "./_prime_connection.ts";

/** A snapshot naming only what priming reads: the schema and the tables' names. */
function catalogOf(...names: string[]): Catalog {
  return {
    schema: "public",
    version: "test",
    tables: names.map((name) => ({ name })),
    functions: [],
  } as unknown as Catalog;
}

async function withConnection(fn: (connection: postgres.ReservedSql) => Promise<void>): Promise<void> {
  const sql = postgres(requireEnv("TENANT_SHARED_DB_URL"), { max: 1, onnotice: () => {} });
  try {
    const connection = await sql.reserve();
    try {
      await fn(connection);
    } finally {
      connection.release();
    }
  } finally {
    await sql.end();
  }
}

/** The connection's state after priming: its role, its claims, whether a transaction is still open. */
async function state(connection: postgres.ReservedSql) {
  const [row] = await connection<{ role: string; claims: string | null }[]>`
    select current_user as role, nullif(current_setting('request.jwt.claims', true), '') as claims`;
  // SAVEPOINT outside a transaction block fails with 25P01; inside one it would succeed.
  const open = await connection.unsafe("savepoint probe").then(
    () => true,
    (error: { code?: string }) => error.code !== "25P01",
  );
  return { ...row!, open };
}

async function preparedStatements(connection: postgres.ReservedSql): Promise<number> {
  const [row] = await connection<{ n: number }[]>`select count(*)::int as n from pg_prepared_statements`;
  return row!.n;
}

Deno.test("primeConnection plans the tables as authenticated and leaves the connection as it found it", async () => {
  await withConnection(async (connection) => {
    const before = await preparedStatements(connection);
    await primeConnection(connection, catalogOf("contacts", "accounts", "tasks"), { prepared: true });
    assert.deepEqual(await state(connection), { role: "postgres", claims: null, open: false });
    // The request settings' two and the count itself at most; no table read.
    assert.ok(await preparedStatements(connection) <= before + 3);
    // A request's settings, read and write, are prepared: its first request binds them at once.
    const [row] = await connection<{ n: number }[]>`
      select count(*)::int as n from pg_prepared_statements
      where statement like '%set_config(''statement_timeout''%'`;
    assert.equal(row!.n, 2);
  });
});

Deno.test("primeConnection fails on a table that is not there and leaves no transaction open", async () => {
  await withConnection(async (connection) => {
    await assert.rejects(
      primeConnection(connection, catalogOf("contacts", "no_such_table"), { prepared: true }),
      (error: { code?: string }) => error.code === "42P01",
    );
    assert.deepEqual(await state(connection), { role: "postgres", claims: null, open: false });
  });
});

Deno.test("primeConnection prepares nothing on a pool that must not prepare (a transaction-mode pooler)", async () => {
  await withConnection(async (connection) => {
    await primeConnection(connection, catalogOf("contacts", "accounts"), { prepared: false });
    assert.deepEqual(await state(connection), { role: "postgres", claims: null, open: false });
    const [row] = await connection<{ n: number }[]>`
      select count(*)::int as n from pg_prepared_statements
      where statement like '%set_config%' and statement not like '%pg_prepared_statements%'`;
    assert.equal(row!.n, 0);
  });
});
