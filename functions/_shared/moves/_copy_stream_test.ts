import assert from "node:assert/strict";
import postgres from "postgres";
import { streamCopy } from "./_copy_stream.ts";

const url = Deno.env.get("TENANT_SHARED_DB_URL");

Deno.test({
  name: "streamCopy() streams rows between connections, counts them, and leaves no connection stalled",
  async fn() {
    const sql = postgres(url!, { max: 2, onnotice: () => {} });
    try {
      for (let i = 0; i < 3; i++) {
        const seen: number[] = [];
        const rows = await sql.begin(async (tx) => {
          await tx`create temp table copied (n int, t text) on commit drop`;
          const rows = await streamCopy(
            () => postgres(url!, { max: 1, onnotice: () => {} }),
            `copy (select n, 'line ' || n || E'\\nwith a newline' from generate_series(1, 50000) n) to stdout`,
            tx.unsafe("copy copied (n, t) from stdin"),
            (n) => seen.push(n),
          );
          const [count] = await tx<
            { n: number }[]
          >`select count(*)::int as n from copied where t like '%newline'`;
          assert.equal(count?.n, 50000);
          return rows;
        });
        assert.equal(rows, 50000, "newlines inside values do not count as rows");
        assert.ok(seen.length > 0 && seen.at(-1)! <= 50000);
      }
    } finally {
      await sql.end();
    }
  },
});

Deno.test({
  name: "streamCopy() rejects when the target refuses the rows, instead of hanging",
  async fn() {
    const sql = postgres(url!, { max: 1, onnotice: () => {} });
    try {
      await assert.rejects(
        sql.begin(async (tx) => {
          await tx`create temp table strict_copy (n int check (n < 10)) on commit drop`;
          await streamCopy(
            () => postgres(url!, { max: 1, onnotice: () => {} }),
            "copy (select n from generate_series(1, 20) n) to stdout",
            tx.unsafe("copy strict_copy (n) from stdin"),
          );
        }),
        /check constraint/,
      );
    } finally {
      await sql.end();
    }
  },
});
