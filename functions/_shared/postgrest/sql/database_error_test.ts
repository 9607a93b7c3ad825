import assert from "node:assert/strict";
import { databaseError } from "./database_error.ts";

/** Like a postgres.js PostgresError: the server's fields plus the query and its parameters. */
function driverError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(String(fields.message ?? "")), {
    query: "insert into contacts (email) values ($1) returning *",
    parameters: ["secret@acme.test"],
    where: 'SQL statement "select secret_value"',
    internal_query: "select secret_value",
    routine: "_bt_check_unique",
    ...fields,
  });
}

Deno.test("databaseError() keeps the server's code, message, detail and hint with PostgREST's status", () => {
  const err = databaseError(
    driverError({
      code: "23505",
      message: 'duplicate key value violates unique constraint "contacts_email_key"',
      detail: "Key (email)=(a@b.c) already exists.",
      hint: "Use another email",
    }),
    { authenticated: true },
  );
  assert.deepEqual(err.toJSON(), {
    code: "23505",
    message: 'duplicate key value violates unique constraint "contacts_email_key"',
    details: "Key (email)=(a@b.c) already exists.",
    hint: "Use another email",
  });
  assert.equal(err.status, 409);
});

Deno.test("databaseError() never renders the query, its parameters or the where context", async () => {
  const err = databaseError(
    driverError({ code: "42501", message: "new row violates row-level security policy" }),
    {
      authenticated: true,
    },
  );
  const text = await err.toResponse().text();
  for (const leak of ["insert into", "secret@acme.test", "secret_value", "_bt_check_unique"]) {
    assert.ok(!text.includes(leak), `${leak} in ${text}`);
  }
  assert.equal(err.cause, undefined);
  assert.equal(err.status, 403);
});

Deno.test("databaseError() answers 42501 for anon with 401", () => {
  assert.equal(
    databaseError(driverError({ code: "42501", message: "permission denied" }), { authenticated: false })
      .status,
    401,
  );
});

Deno.test("databaseError() accepts details spelled as PostgREST spells them", () => {
  assert.equal(
    databaseError({ code: "P0001", message: "m", details: "d" }, { authenticated: true }).details,
    "d",
  );
});

for (
  const [name, error] of [
    [
      "a network error",
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
    ],
    ["an error without a code", new Error("select * from secrets")],
    ["a string", "boom"],
    ["null", null],
    ["a code without a message", { code: "23505" }],
  ] as const
) {
  Deno.test(`databaseError() turns ${name} into an opaque 500`, async () => {
    const err = databaseError(error, { authenticated: true });
    assert.deepEqual(await err.toResponse().json(), {
      code: "PGRSTX00",
      message: "Internal server error",
      details: null,
      hint: null,
    });
    assert.equal(err.status, 500);
  });
}

Deno.test("databaseError() renders a 5xx the client cannot act on opaquely, keeping only its SQLSTATE", () => {
  const error = databaseError(
    {
      code: "54001",
      message: "stack depth limit exceeded",
      hint: 'Increase "max_stack_depth" (currently 2048kB)',
    },
    { authenticated: true },
  );
  assert.equal(error.status, 500);
  assert.equal(error.code, "PGRSTX00");
  assert.equal(error.details, "SQLSTATE 54001");
  assert.doesNotMatch(JSON.stringify(error.toJSON()), /max_stack_depth|stack depth/);
});

Deno.test("databaseError() answers a PostgreSQL limit met by the request's values with a 400 naming no index", () => {
  const error = databaseError(
    {
      code: "54000",
      message: 'index row size 3000 exceeds btree version 4 maximum 2704 for index "contacts_email_key"',
    },
    { authenticated: true },
  );
  assert.equal(error.status, 400);
  assert.deepEqual(error.toJSON(), {
    code: "54000",
    message: "The request exceeds a limit of PostgreSQL",
    details: null,
    hint: "Send smaller values, fewer items or less nesting (arrays have at most 6 dimensions)",
  });
});

Deno.test("databaseError() keeps the text of a statement timeout, which tells the client what happened", () => {
  const error = databaseError({ code: "57014", message: "canceling statement due to statement timeout" }, {
    authenticated: true,
  });
  assert.deepEqual([error.code, error.message], ["57014", "canceling statement due to statement timeout"]);
  assert.match(error.hint ?? "", /statement timeout: narrow it with filters or a smaller limit/);
});

Deno.test("databaseError() answers a deadlock with 503 and Retry-After, without the server's process details", () => {
  const error = databaseError({
    code: "40P01",
    message: "deadlock detected",
    detail: "Process 4242 waits for ShareLock on transaction 777; blocked by process 4243.",
  }, { authenticated: true });
  assert.deepEqual([error.status, error.code, error.details], [503, "40P01", null]);
  assert.equal(error.toResponse().headers.get("retry-after"), "1");
});

Deno.test("databaseError() names columns, not the gateway's table aliases", () => {
  const error = databaseError({
    code: "42803",
    message:
      'column "pgrst_t0.status" must appear in the GROUP BY clause or be used in an aggregate function',
  }, { authenticated: true });
  assert.equal(error.status, 400);
  assert.equal(
    error.message,
    'column "status" must appear in the GROUP BY clause or be used in an aggregate function',
  );
});
