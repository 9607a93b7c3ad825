import assert from "node:assert/strict";
import postgres from "postgres";
import { requireEnv } from "../testing/require_env.ts";
import { lockMove } from "./_store.ts";
import { MoveError } from "./errors.ts";

Deno.test("lockMove() lets one process run a move; a lost session neither crashes nor keeps the lock", async () => {
  const sql = postgres(requireEnv("SUPABASE_DB_URL"), { max: 2, onnotice: () => {} });
  const moveId = crypto.randomUUID();
  try {
    const lock = await lockMove(sql, moveId);
    await assert.rejects(
      lockMove(sql, moveId),
      (error) => error instanceof MoveError && error.reason === "busy",
    );
    // The lock's session ends under it (a restart, a failover): release() must still return quietly.
    await sql`
      select pg_terminate_backend(pid) from pg_locks
      where locktype = 'advisory' and granted and pid <> pg_backend_pid()
        and objid = (hashtextextended(${`tenant_router.move:${moveId}`}, 0) & 4294967295)::oid`;
    await lock.release();
    const again = await lockMove(sql, moveId);
    await again.release();
    const [row] = await sql<{ held: number }[]>`
      select count(*)::int as held from pg_locks
      where locktype = 'advisory' and objid = (hashtextextended(${`tenant_router.move:${moveId}`}, 0) & 4294967295)::oid`;
    assert.equal(row!.held, 0, "released");
  } finally {
    await sql.end();
  }
});
