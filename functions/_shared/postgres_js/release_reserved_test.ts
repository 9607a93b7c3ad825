import assert from "node:assert/strict";
import postgres from "postgres";
import { requireEnv } from "../testing/require_env.ts";
import { releaseReserved } from "./release_reserved.ts";

/** A pool of one connection: a connection lost or leaked by the pool shows at once. */
function onePool(): postgres.Sql {
  return postgres(requireEnv("TENANT_SHARED_DB_URL"), { max: 1, onnotice: () => {} });
}

Deno.test("releaseReserved() keeps a lost connection out of the pool, which goes on serving", async () => {
  const pool = onePool();
  try {
    const connection = await pool.reserve();
    let failure: unknown;
    try {
      // The server ends this session while the query runs, as a restart or a failover would.
      await connection`select pg_terminate_backend(pg_backend_pid())`;
    } catch (error) {
      failure = error;
    }
    assert.equal((failure as { code?: string }).code, "CONNECTION_CLOSED");
    releaseReserved(connection, failure);
    // postgres.js 3.4.9 hands the session's FATAL error to the next query of the reconnected connection
    // and the one after gets a stray empty row first; then the pool serves normally.
    const answers: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      answers.push(
        await pool<{ v: number }[]>`select ${i}::int as v`.then((rows) => [...rows], (e) => e.code),
      );
    }
    assert.deepEqual(answers.slice(2), [[{ v: 2 }], [{ v: 3 }], [{ v: 4 }]], JSON.stringify(answers));
  } finally {
    await pool.end({ timeout: 0 });
  }
});

Deno.test("releaseReserved() hands back a live connection whatever server error it saw", async () => {
  const pool = onePool();
  try {
    const connection = await pool.reserve();
    await connection`select 1`;
    // What postgres.js passes on to a reconnected, healthy connection after a session was terminated.
    releaseReserved(connection, { name: "PostgresError", code: "57P01", severity: "FATAL" });
    const again = await Promise.race([
      pool.reserve(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the connection leaked")), 5000)),
    ]);
    releaseReserved(again);
  } finally {
    await pool.end({ timeout: 0 });
  }
});
