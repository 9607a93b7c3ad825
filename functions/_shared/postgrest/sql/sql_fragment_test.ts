import assert from "node:assert/strict";
import {
  bind,
  bindBoolean,
  bindInteger,
  castType,
  Fragment,
  ident,
  inlineStatement,
  integerLiteral,
  join,
  qualified,
  rawCatalogSql,
  render,
  sql,
  typeName,
} from "./sql_fragment.ts";

Deno.test("ident() quotes a name and doubles its double quotes", () => {
  assert.equal(render(ident("email")).text, '"email"');
  assert.equal(render(ident('a"b')).text, '"a""b"');
  assert.equal(render(ident('"; drop table x; --')).text, '"""; drop table x; --"');
  assert.equal(render(ident("Ünïcødé 🚀")).text, '"Ünïcødé 🚀"');
  assert.equal(render(qualified("public", "contacts")).text, '"public"."contacts"');
});

Deno.test("ident() refuses empty names, NUL and names PostgreSQL would truncate", () => {
  assert.throws(() => ident(""), TypeError);
  assert.throws(() => ident("a\0b"), TypeError);
  assert.throws(() => ident("é".repeat(32)), TypeError); // 64 bytes
  assert.equal(render(ident("a".repeat(63))).text.length, 65);
});

Deno.test("render() numbers parameters in order, each with its type", () => {
  const statement = render(
    sql`select ${bind("a")}, ${bindInteger(2)}, ${bindInteger(3, { type: "int4" })}, ${bindBoolean(true)}, ${
      bind(null)
    }`,
  );
  assert.deepEqual(statement, {
    text: "select $1::text, $2::int8, $3::int4, $4::bool, $5::text",
    params: ["a", 2, 3, true, null],
  });
});

Deno.test("render() gives the same parameter the same number", () => {
  const value = bind("x");
  assert.deepEqual(render(sql`${value} = ${value} and ${bind("x")}`), {
    text: "$1::text = $1::text and $2::text",
    params: ["x", "x"],
  });
});

Deno.test("bind() keeps any text out of the SQL text", () => {
  for (const value of ["'; drop table x; --", '"', "\\", "$1", "*/", "\u0000", "🚀"]) {
    const statement = render(sql`select ${bind(value)}`);
    assert.equal(statement.text, "select $1::text");
    assert.deepEqual(statement.params, [value]);
  }
});

Deno.test("bindInteger() refuses what is not a safe integer", () => {
  assert.throws(() => bindInteger(1.5), TypeError);
  assert.throws(() => bindInteger(Number.MAX_SAFE_INTEGER + 1), TypeError);
});

Deno.test("sql`` refuses interpolated strings and fake template arrays", () => {
  const fake = Object.assign(["select ", ""], { raw: ["select ", ""] }) as unknown as TemplateStringsArray;
  assert.throws(() => sql(fake, bind("x")), TypeError);
  assert.throws(() => sql`select ${"1; drop table x" as unknown as Fragment}`, TypeError);
  assert.throws(() => new Fragment(Symbol("Fragment"), ["x"]), TypeError);
});

Deno.test("typeName() takes catalog type names and nothing that could end or comment SQL", () => {
  for (
    const type of ["uuid", "numeric(16,2)", "timestamp with time zone", "text[]", 'public."My ""type"""[]']
  ) {
    assert.equal(render(typeName(type)).text, type);
  }
  for (const type of ["text; drop table x", "text --", "text/*", "text'", 'x"', "a\0"]) {
    assert.throws(() => typeName(type), TypeError, type);
  }
});

Deno.test("castType() takes only the select cast pattern", () => {
  assert.equal(render(castType("double precision")).text, "double precision");
  assert.throws(() => castType("Text"), TypeError);
  assert.throws(() => castType("text)"), TypeError);
});

Deno.test("rawCatalogSql() wraps a catalog expression in parentheses", () => {
  assert.equal(render(rawCatalogSql("'{}'::text[]")).text, "('{}'::text[])");
  assert.throws(() => rawCatalogSql(""), TypeError);
});

Deno.test("join() separates fragments and keeps their parameters in order", () => {
  assert.deepEqual(render(join([bind("a"), ident("b"), bind("c")], sql`, `)), {
    text: '$1::text, "b", $2::text',
    params: ["a", "c"],
  });
  assert.equal(render(join([], sql`, `)).text, "");
});

Deno.test("integerLiteral() writes digits of a non-negative safe integer and refuses anything else", () => {
  assert.equal(render(sql`LIMIT ${integerLiteral(20)}`).text, "LIMIT 20");
  assert.deepEqual(render(sql`LIMIT ${integerLiteral(0)}`).params, []);
  for (const value of [-1, 1.5, Number.NaN, Infinity, 2 ** 53, "1; drop table x" as unknown as number]) {
    assert.throws(() => integerLiteral(value), TypeError, String(value));
  }
});

Deno.test("render() cuts the text at its placeholders, and inlineStatement() writes each value in its place", () => {
  const repeated = bind("o'brien\\");
  const statement = render(
    sql`select ${repeated}, ${ident("$1::text")}, ${bindInteger(-2)}, ${bindBoolean(false)}, ${
      bind(null)
    }, ${repeated}`,
  );
  assert.equal(statement.text, 'select $1::text, "$1::text", $2::int8, $3::bool, $4::text, $1::text');
  assert.equal(
    inlineStatement(statement),
    `select E'o''brien\\\\'::text, "$1::text", E'-2'::int8, false::bool, NULL::text, E'o''brien\\\\'::text`,
  );
  // With other values at the same slots (a recurring request shape), the same text takes them.
  assert.equal(
    inlineStatement({ ...statement, params: ["x", 7, true, "y"] }),
    `select E'x'::text, "$1::text", E'7'::int8, true::bool, E'y'::text, E'x'::text`,
  );
});

Deno.test("inlineStatement() declines a rewritten text, a statement not rendered here and a NUL", () => {
  const statement = render(sql`select ${bind("a")}`);
  assert.equal(inlineStatement({ ...statement, text: `EXPLAIN ${statement.text}` }), undefined);
  assert.equal(inlineStatement({ text: "select $1::text /* not rendered */", params: ["a"] }), undefined);
  assert.equal(inlineStatement({ ...statement, params: ["a\0b"] }), undefined);
  assert.equal(inlineStatement({ ...statement, params: [] }), undefined);
});
