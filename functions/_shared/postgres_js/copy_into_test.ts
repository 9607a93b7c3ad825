import assert from "node:assert/strict";
import { Readable } from "node:stream";
import postgres from "postgres";
import { requireEnv } from "../testing/require_env.ts";
import { copyInto } from "./copy_into.ts";

Deno.test("copyInto() loads rows, and rejects (not hangs) when the server refuses the last chunk", async () => {
  const sql = postgres(requireEnv("TENANT_SHARED_DB_URL"), { max: 1, onnotice: () => {} });
  try {
    await sql.begin(async (tx) => {
      await tx`create temporary table copy_into_test (n int primary key) on commit drop`;
      await copyInto(tx`copy copy_into_test (n) from stdin`, [Readable.from(["1\n2\n", "3\n"])]);
      const [{ count }] = await tx`select count(*)::int as count from copy_into_test` as unknown as [
        { count: number },
      ];
      assert.equal(count, 3);
    });
    await assert.rejects(
      sql.begin(async (tx) => {
        await tx`create temporary table copy_into_test (n int primary key) on commit drop`;
        await copyInto(tx`copy copy_into_test (n) from stdin`, [Readable.from(["1\n1\n"])]);
      }),
      (error: { code?: string }) => error.code === "23505",
    );
  } finally {
    await sql.end();
  }
});
