import assert from "node:assert/strict";
import postgres from "postgres";
import { DataSourcePools, DataSourceUnavailableError } from "../data_sources/mod.ts";
import { closedPort, testDataSource } from "../data_sources/testdata/helpers.ts";
import { PostgrestError, sqlLiteral } from "../postgrest/mod.ts";
import { requireEnv } from "../testing/require_env.ts";
import { writeFenceKey } from "../tenancy/mod.ts";
import { bind, bindBoolean, bindInteger, ident, render, sql } from "../postgrest/sql/sql_fragment.ts";
import { executeStatement, inlineSettings, type RequestClaims } from "./execute.ts";
import { PreparedStatements } from "./_prepared_statements.ts";

const GLOBEX = "a0000000-0000-4000-8000-000000000002";
const INITECH = "a0000000-0000-4000-8000-000000000003";
const claims = (tenant_id: string, tenant_role: RequestClaims["tenant_role"] = "owner"): RequestClaims => ({
  sub: "b0000000-0000-4000-8000-000000000003",
  role: "authenticated",
  tenant_id,
  tenant_role,
});

/** Each test on a pool that prepares, and on one that must not (a transaction-mode pooler's: settings inlined). */
function dbTest(name: string, fn: (pool: postgres.Sql) => Promise<void>): void {
  for (const prepare of [true, false]) {
    Deno.test(`${name}${prepare ? "" : " (unprepared)"}`, async () => {
      // One connection, so every request reuses the connection of the one before.
      const pool = postgres(requireEnv("TENANT_SHARED_DB_URL"), { max: 1, prepare, onnotice: () => {} });
      try {
        await fn(pool);
      } finally {
        await pool.end();
      }
    });
  }
}

dbTest(
  "sqlLiteral() reads back exactly as written, whatever standard_conforming_strings says",
  async (pool) => {
    const hostile = [
      "plain",
      "it's",
      "\\'; drop table public.notes; --",
      "\\",
      "\\\\'",
      "''",
      "$$ $tag$ $1",
      "line\nbreak\ttab",
      "ünïcødé 🚀 \u2028",
      JSON.stringify({ email: "o'brien\\@example.test", quote: '"' }),
    ];
    for (const conforming of ["on", "off"]) {
      await pool.begin(async (tx) => {
        await tx.unsafe(`set local standard_conforming_strings = ${conforming}`);
        await tx.unsafe("set local escape_string_warning = off");
        for (const text of hostile) {
          const [row] = await tx.unsafe(`select ${sqlLiteral(text)} as value`);
          assert.equal(row?.value, text, `standard_conforming_strings ${conforming}`);
        }
      });
    }
    assert.throws(() => sqlLiteral("a\0b"), TypeError);
  },
);

const HOSTILE_VALUES = [
  "it's",
  "\\'; drop table public.notes; --",
  "\\",
  "$1::text",
  "ünïcødé 🚀",
  '{"a":"o\'brien\\\\"}',
];

/** A statement of hostile values of every kind of parameter, and the row it must read back. */
function hostileStatement() {
  const row: Record<string, unknown> = { n: "-5", yes: true, nothing: null };
  const columns = HOSTILE_VALUES.map((
    value,
    i,
  ) => (row[`v${i}`] = value, sql`${bind(value)} as ${ident(`v${i}`)}`));
  const list = columns.reduce((all, column) => sql`${all}, ${column}`);
  return {
    statement: render(
      sql`select ${list}, ${bindInteger(-5)}::text as n, ${bindBoolean(true)} as yes, ${
        bind(null)
      } as nothing`,
    ),
    row,
  };
}

dbTest(
  "executeStatement() reads every kind of value back exactly, whatever standard_conforming_strings says",
  async (pool) => {
    const { statement, row } = hostileStatement();
    for (const conforming of ["off", "on"]) {
      // Session-level on purpose: the pool has one connection, and the request's transaction runs on it.
      await pool.unsafe(`set standard_conforming_strings = ${conforming}; set escape_string_warning = off`);
      const rows = await executeStatement(pool, statement, {
        claims: claims(GLOBEX),
        readOnly: true,
        statementTimeoutMs: 5000,
        acquireTimeoutMs: 5000,
      });
      assert.deepEqual({ ...rows[0] }, row, `standard_conforming_strings ${conforming}`);
    }
  },
);

Deno.test("executeStatement() on a pool that must not prepare sends the statement as one simple query", async () => {
  const sent: { text: string; params: unknown[] }[] = [];
  const pool = postgres(requireEnv("TENANT_SHARED_DB_URL"), {
    max: 1,
    prepare: false,
    onnotice: () => {},
    debug: (_connection, text, params) => sent.push({ text, params }),
  });
  try {
    await pool`select 1`; // the connection opened (and postgres.js's query for the array types sent)
    sent.length = 0;
    const { statement, row } = hostileStatement();
    const rows = await executeStatement(pool, statement, {
      claims: claims(GLOBEX),
      readOnly: true,
      statementTimeoutMs: 5000,
      acquireTimeoutMs: 5000,
    });
    assert.deepEqual({ ...rows[0] }, row);
    // Nothing bound, so postgres.js had no parameter types to ask for: begin and settings, statement, commit.
    assert.equal(sent.length, 3);
    assert.ok(sent.every((query) => query.params.length === 0));
    assert.ok(sent[1]!.text.startsWith("select E'it''s'::text"));
  } finally {
    await pool.end();
  }
});

/**
 * A pool of one connection that records what postgres.js sends, and requests of one recurring shape on it
 * (rendered by the sql stage, which remembers where its placeholders are: what inlining needs).
 */
function recurringShape(prepared: PreparedStatements) {
  const sent: { text: string; params: unknown[] }[] = [];
  const pool = postgres(requireEnv("TENANT_SHARED_DB_URL"), {
    max: 1,
    onnotice: () => {},
    debug: (_connection, text, params) => sent.push({ text, params }),
  });
  const statementOf = (value: string) =>
    render(sql`select ${bind(value)}::text as value, 'marker-recurring-shape' as marker`);
  return {
    pool,
    text: statementOf("").text,
    run: async (value: string) =>
      (await executeStatement(pool, statementOf(value), {
        claims: claims(GLOBEX),
        readOnly: true,
        statementTimeoutMs: 5000,
        acquireTimeoutMs: 5000,
        prepared,
      }))[0]?.value,
    /** The shape's statements sent since the last call, as text and parameters. */
    takeSent: () => sent.splice(0).filter((query) => query.text.includes("marker-recurring-shape")),
    /** How many statements of the shape the connection's server process has prepared. */
    preparedOnServer: async () =>
      (await pool`
        select count(*)::int as n from pg_prepared_statements where statement like '%marker-' || 'recurring-shape%'`)[
        0
      ]
        ?.n,
  };
}

Deno.test("executeStatement() inlines a statement its connection has not prepared, and prepares it after the request when it recurs", async () => {
  const shape = recurringShape(new PreparedStatements());
  try {
    assert.equal(await shape.run("it's"), "it's");
    // First sighting: a simple query with the value as a literal, nothing prepared.
    const first = shape.takeSent();
    assert.deepEqual(first.map((query) => query.params), [[]]);
    assert.ok(first[0]!.text.startsWith("select E'it''s'::text"));
    assert.equal(await shape.preparedOnServer(), 0);

    assert.equal(await shape.run("two"), "two");
    // Recurs: inlined again for this request, then described (prepared) on the connection after it.
    assert.deepEqual(shape.takeSent().map((query) => query.params), [[], ["two"]]);
    assert.equal(await shape.preparedOnServer(), 1);

    assert.equal(await shape.run("three"), "three");
    // Bound to the statement the connection has: no inlined text, nothing prepared again.
    assert.deepEqual(shape.takeSent().map((query) => [query.text, query.params]), [[shape.text, ["three"]]]);
    assert.equal(await shape.preparedOnServer(), 1);
  } finally {
    await shape.pool.end();
  }
});

Deno.test("executeStatement() never prepares a shape past the cap: it keeps going inlined", async () => {
  const shape = recurringShape(new PreparedStatements({ maxStatements: 0 }));
  try {
    for (const value of ["one", "two", "three"]) {
      assert.equal(await shape.run(value), value);
      assert.deepEqual(shape.takeSent().map((query) => query.params), [[]]);
    }
    assert.equal(await shape.preparedOnServer(), 0);
  } finally {
    await shape.pool.end();
  }
});

Deno.test("executeStatement() under concurrency answers every request with its own values and prepares a shape at most once per connection", async () => {
  const pool = postgres(requireEnv("TENANT_SHARED_DB_URL"), { max: 3, onnotice: () => {} });
  const prepared = new PreparedStatements();
  const shapes = [
    (value: string) => render(sql`select ${bind(value)}::text as value, 'marker-concurrent-1' as marker`),
    (value: string) => render(sql`select ${bind(value)}::text as value, 'marker-concurrent-2' as marker`),
    (value: string) => render(sql`select ${bind(value)}::text as value, 'marker-concurrent-3' as marker`),
  ];
  try {
    for (let wave = 0; wave < 5; wave++) {
      const requests = Array.from({ length: 30 }, (_, i) => {
        const value = `wave ${wave} request ${i} it's`;
        return executeStatement(pool, shapes[i % 3]!(value), {
          claims: claims(GLOBEX),
          readOnly: true,
          statementTimeoutMs: 5000,
          acquireTimeoutMs: 5000,
          prepared,
        }).then((rows) => assert.equal(rows[0]?.value, value));
      });
      await Promise.all(requests);
    }
    // Hold every connection of the pool at once and read what each has prepared.
    const connections = await Promise.all([1, 2, 3].map(() => pool.reserve()));
    const preparedTexts = new Set<string>();
    try {
      for (const connection of connections) {
        const rows = await connection`
          select statement, count(*)::int as n from pg_prepared_statements
          where statement like '%marker-' || 'concurrent-%' group by statement`;
        assert.ok(rows.length <= 3, `${rows.length} texts`);
        for (const row of rows) {
          assert.equal(row.n, 1, "prepared once on this connection");
          preparedTexts.add(row.statement);
        }
      }
    } finally {
      for (const connection of connections) connection.release();
    }
    assert.equal(preparedTexts.size, 3, "each shape is prepared where it recurred");
  } finally {
    await pool.end();
  }
});

Deno.test("inlineSettings() writes the claims, time zone and write fence as literals only", () => {
  const text = inlineSettings({
    claims: { ...claims(GLOBEX), email: "x'); select pg_sleep(10); --" },
    readOnly: false,
    statementTimeoutMs: 8000,
    timezone: "Asia/Tokyo",
  });
  assert.match(
    text,
    /^select set_config\('role', E'authenticated', true\), set_config\('request\.jwt\.claims', E'/,
  );
  assert.ok(text.includes("x''); select pg_sleep(10); --"), "the quote is doubled inside the literal");
  assert.ok(text.includes("set_config('timezone', E'Asia/Tokyo', true)"));
  assert.ok(text.includes(`hashtextextended(E'${writeFenceKey(GLOBEX)}', 0)`));
});

dbTest("executeStatement() runs as authenticated and RLS limits rows to the claimed tenant", async (pool) => {
  const text = "select distinct tenant_id::text as tenant, current_user as role from public.accounts";
  const rows = await executeStatement(pool, { text, params: [] }, {
    claims: claims(GLOBEX),
    readOnly: true,
    statementTimeoutMs: 5000,
    acquireTimeoutMs: 5000,
  });
  assert.deepEqual(rows.map((row) => ({ ...row })), [{ tenant: GLOBEX, role: "authenticated" }]);
});

dbTest("executeStatement() leaves no role or claims behind on the pooled connection", async (pool) => {
  await executeStatement(pool, { text: "select 1", params: [] }, {
    claims: claims(INITECH),
    readOnly: true,
    statementTimeoutMs: 5000,
    acquireTimeoutMs: 5000,
  });
  const [after] = await pool`
    select current_user as role, coalesce(current_setting('request.jwt.claims', true), '') as claims,
           current_setting('statement_timeout') as timeout`;
  assert.equal(after?.role, "postgres");
  assert.equal(after?.claims, "");
  assert.notEqual(after?.timeout, "5s");
});

dbTest("executeStatement() refuses a write in a read-only request", async (pool) => {
  await assert.rejects(
    executeStatement(pool, { text: "delete from public.notes", params: [] }, {
      claims: claims(GLOBEX),
      readOnly: true,
      statementTimeoutMs: 5000,
      acquireTimeoutMs: 5000,
    }),
    (error) => error instanceof PostgrestError && error.code === "25006" && error.status === 405,
  );
});

dbTest("executeStatement() ends a slow statement at the timeout with 57014 and no SQL text", async (pool) => {
  await assert.rejects(
    executeStatement(pool, { text: "select pg_sleep(5) /* marker-sql-text */", params: [] }, {
      claims: claims(GLOBEX),
      readOnly: true,
      statementTimeoutMs: 100,
      acquireTimeoutMs: 5000,
    }),
    (error) => {
      assert.ok(error instanceof PostgrestError);
      assert.equal(error.code, "57014");
      assert.doesNotMatch(JSON.stringify(error.toJSON()), /marker-sql-text|pg_sleep/);
      return true;
    },
  );
});

dbTest("executeStatement() keeps hostile values values, inlined or bound, never SQL", async (pool) => {
  const hostile = "'; drop table public.accounts; --";
  const prepared = new PreparedStatements();
  // Inlined (a first sighting), inlined then prepared, bound to the prepared statement.
  for (let i = 0; i < 3; i++) {
    const rows = await executeStatement(pool, { text: "select $1::text as value", params: [hostile] }, {
      claims: claims(GLOBEX),
      readOnly: false,
      statementTimeoutMs: 5000,
      acquireTimeoutMs: 5000,
      prepared,
    });
    assert.equal(rows[0]?.value, hostile);
  }
  const [table] = await pool`select to_regclass('public.accounts') is not null as present`;
  assert.equal(table?.present, true);
});

dbTest("executeStatement() rolls a write back when verify() rejects its rows", async (pool) => {
  const countMarked = async () =>
    (await pool`select count(*)::int as n from public.notes where body like '%!'`)[0]?.n;
  const before = await countMarked();
  const text = "update public.notes set body = body || '!' where tenant_id = $1 returning id";
  await assert.rejects(
    executeStatement(pool, { text, params: [GLOBEX] }, {
      claims: claims(GLOBEX),
      readOnly: false,
      statementTimeoutMs: 5000,
      acquireTimeoutMs: 5000,
      verify: (rows) => {
        if (rows.length !== 1) throw new RangeError(`expected one row, got ${rows.length}`);
      },
    }),
    RangeError,
  );
  assert.equal(await countMarked(), before);
});

dbTest("a write meets the tenant's write fence held by a move with 503 TR504; reads pass", async (pool) => {
  const mover = postgres(requireEnv("TENANT_SHARED_DB_URL"), { max: 1, onnotice: () => {} });
  const key = writeFenceKey(GLOBEX);
  const write = { text: "update public.notes set body = body where false", params: [] };
  const options = { claims: claims(GLOBEX), statementTimeoutMs: 5000, acquireTimeoutMs: 5000 };
  try {
    await mover`select pg_advisory_lock(hashtextextended(${key}, 0))`;
    await assert.rejects(
      executeStatement(pool, write, { ...options, readOnly: false }),
      (error) => error instanceof PostgrestError && error.code === "TR504" && error.status === 503,
    );
    await executeStatement(pool, { text: "select 1", params: [] }, { ...options, readOnly: true });
    // Another tenant's writes are not fenced.
    await executeStatement(pool, write, { ...options, claims: claims(INITECH), readOnly: false });
    await mover`select pg_advisory_unlock(hashtextextended(${key}, 0))`;
    await executeStatement(pool, write, { ...options, readOnly: false });
  } finally {
    await mover.end();
  }
});

dbTest(
  "executeStatement() answers 503 TR506 when no connection frees up in time, and loses none",
  async (pool) => {
    const select = { text: "select 1 as one", params: [] };
    const options = {
      claims: claims(GLOBEX),
      readOnly: true,
      statementTimeoutMs: 5000,
      acquireTimeoutMs: 100,
    };
    const busy = await pool.reserve(); // the pool's only connection
    try {
      await assert.rejects(executeStatement(pool, select, options), (error) => {
        assert.ok(error instanceof PostgrestError);
        assert.equal(error.code, "TR506");
        assert.equal(error.status, 503);
        assert.equal(error.toResponse().headers.get("retry-after"), "1");
        return true;
      });
    } finally {
      busy.release();
    }
    // The reservation that timed out was served afterwards and handed back: the connection is not lost.
    assert.deepEqual([...await executeStatement(pool, select, options)], [{ one: 1 }]);
    assert.deepEqual([...await executeStatement(pool, select, options)], [{ one: 1 }]);
  },
);

Deno.test("requests waiting for a connection to a data source that is down get 503 TR503, not the acquire timeout", async () => {
  const pools = new DataSourcePools({ endTimeoutSeconds: 0 });
  const down = testDataSource(`postgres://postgres:postgres@127.0.0.1:${closedPort()}/tenant_shared`, {
    poolMax: 1,
  });
  const select = { text: "select 1 as one", params: [] };
  try {
    // One connection, six requests: five wait behind postgres.js's reconnect back-off until the circuit opens.
    const outcomes = await Promise.allSettled(
      Array.from(
        { length: 6 },
        () =>
          pools.run(down, (sql, { unavailable }) =>
            executeStatement(sql, select, {
              claims: claims(GLOBEX),
              readOnly: true,
              statementTimeoutMs: 5000,
              acquireTimeoutMs: 2000,
              unavailable,
            })),
      ),
    );
    for (const outcome of outcomes) {
      assert.equal(outcome.status, "rejected");
      const error = (outcome as PromiseRejectedResult).reason;
      assert.ok(error instanceof DataSourceUnavailableError, String(error));
      assert.equal(error.code, "TR503");
    }
    assert.equal(pools.stats().breakers[0]?.state, "open");
  } finally {
    await pools.closeAll({ timeout: 0 });
  }
});
