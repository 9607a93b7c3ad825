import assert from "node:assert/strict";
import { PostgrestError } from "../../errors/postgrest_error.ts";
import { MAX_LIMIT, MAX_OFFSET } from "./limits.ts";
import { parseQuery } from "./parse_query.ts";
import { cmp, col, embed, field, filter } from "../testdata/helpers.ts";

function query(text: string, rpcRead = false) {
  return parseQuery(new URLSearchParams(text), { rpcRead });
}

Deno.test("parseQuery() defaults to select=* and nothing else", () => {
  assert.deepEqual(query(""), {
    select: [{ kind: "star" }],
    filters: [],
    logic: [],
    order: [],
    ranges: [],
    onConflict: null,
    columns: null,
    rpcArgs: [],
  });
});

Deno.test("parseQuery() sorts reserved parameters from filters", () => {
  const parsed = query(
    "select=id,contacts(email)&contacts.email=eq.a@b.c&order=id.desc&contacts.order=email&limit=20&offset=40" +
      "&contacts.limit=2&contacts.offset=1&or=(a.eq.1,b.eq.2)&contacts.or=(email.eq.x)&on_conflict=sku" +
      "&columns=%22first_name%22,%22email%22&stage=neq.lost",
  );
  assert.deepEqual(parsed.select, [col("id"), embed("contacts", [col("email")])]);
  assert.deepEqual(parsed.filters, [
    { path: ["contacts"], field: field("email"), negated: false, operation: cmp("eq", "a@b.c") },
    filter("stage", cmp("neq", "lost")),
  ]);
  assert.deepEqual(parsed.order.map((o) => [o.path, o.terms.map((t) => [t.field.name, t.direction])]), [
    [[], [["id", "desc"]]],
    [["contacts"], [["email", null]]],
  ]);
  assert.deepEqual(parsed.ranges, [
    { path: [], limit: 20, offset: 40 },
    { path: ["contacts"], limit: 2, offset: 1 },
  ]);
  assert.deepEqual(parsed.logic.map((l) => [l.path, l.tree.operator, l.tree.children.length]), [
    [[], "or", 2],
    [["contacts"], "or", 1],
  ]);
  assert.deepEqual(parsed.onConflict, ["sku"]);
  assert.deepEqual(parsed.columns, ["first_name", "email"]);
  assert.deepEqual(parsed.rpcArgs, []);
});

Deno.test("parseQuery() keeps repeated filters on one column in order", () => {
  assert.deepEqual(query("amount=gt.10&amount=lt.1000").filters, [
    filter("amount", cmp("gt", "10")),
    filter("amount", cmp("lt", "1000")),
  ]);
});

Deno.test("parseQuery() takes the first select, columns and on_conflict and the last limit", () => {
  const parsed = query("select=a&select=b&columns=x&columns=y&on_conflict=p&on_conflict=q&limit=1&limit=2");
  assert.deepEqual(parsed.select, [col("a")]);
  assert.deepEqual(parsed.columns, ["x"]);
  assert.deepEqual(parsed.onConflict, ["p"]);
  assert.deepEqual(parsed.ranges, [{ path: [], limit: 2, offset: 0 }]);
});

Deno.test("parseQuery() decodes + as a space and percent-escapes, and leaves malformed escapes as they are", () => {
  assert.deepEqual(query("name=eq.Ada+Lovelace").filters, [filter("name", cmp("eq", "Ada Lovelace"))]);
  assert.deepEqual(query("name=eq.a%2Cb%26c%3Dd").filters, [filter("name", cmp("eq", "a,b&c=d"))]);
  assert.deepEqual(query("name=eq.100%zz%").filters, [filter("name", cmp("eq", "100%zz%"))]);
  assert.deepEqual(query("name=eq.%FF").filters, [filter("name", cmp("eq", "\uFFFD"))]);
  assert.deepEqual(query("name=eq.%00").filters, [filter("name", cmp("eq", "\u0000"))]);
});

Deno.test("parseQuery() reads an RPC's parameters without an operator as arguments", () => {
  const parsed = query("q=ada&limit=5&id=eq.1&empty=&x=eqq.1", true);
  assert.deepEqual(parsed.rpcArgs, [["q", "ada"], ["empty", ""], ["x", "eqq.1"]]);
  assert.deepEqual(parsed.filters, [filter("id", cmp("eq", "1"))]);
  assert.deepEqual(parsed.ranges, [{ path: [], limit: 5, offset: 0 }]);
});

Deno.test("parseQuery() does not read filters as arguments outside an RPC read", () => {
  assert.throws(() => query("q=ada"), { code: "PGRST100" });
});

const rejected: [name: string, query: string, code: string, status: number, message: string][] = [
  [
    "an unknown operator",
    "account=eqq.1",
    "PGRST100",
    400,
    'Cannot parse filter: unknown operator "eqq" at position 9',
  ],
  [
    "an empty filter value",
    "id=",
    "PGRST100",
    400,
    "Cannot parse filter: expected an operator at position 4",
  ],
  [
    "a filter without a value",
    "id",
    "PGRST100",
    400,
    "Cannot parse filter: expected an operator at position 4",
  ],
  [
    "an unparsable select",
    "select=id,contacts(",
    "PGRST100",
    400,
    'Cannot parse select: expected ")" at position 13',
  ],
  [
    "an unparsable order",
    "order=id.up",
    "PGRST100",
    400,
    "Cannot parse order: expected asc, desc, nullsfirst or nullslast at position 4",
  ],
  ["an empty order", "order=", "PGRST100", 400, "Cannot parse order: unexpected end of input at position 1"],
  [
    "an unparsable embedded order key",
    "a..order=id",
    "PGRST100",
    400,
    'Cannot parse order: unexpected "." at position 3',
  ],
  [
    "an unparsable columns",
    "columns=a,",
    "PGRST100",
    400,
    "Cannot parse columns: unexpected end of input at position 3",
  ],
  [
    "an unparsable on_conflict",
    "on_conflict=a)",
    "PGRST100",
    400,
    'Cannot parse on_conflict: unexpected ")" at position 2',
  ],
  ["an unbalanced or", "or=(a.eq.1", "PGRST100", 400, 'Cannot parse logic tree: expected ")" at position 11'],
  [
    "a limit that is not a number",
    "limit=ten",
    "PGRST100",
    400,
    'Cannot parse limit: expected a non-negative integer, got "ten"',
  ],
  [
    "an empty limit",
    "limit=",
    "PGRST100",
    400,
    'Cannot parse limit: expected a non-negative integer, got ""',
  ],
  [
    "a fractional limit",
    "limit=1.5",
    "PGRST100",
    400,
    'Cannot parse limit: expected a non-negative integer, got "1.5"',
  ],
  [
    "a negative offset",
    "offset=-1",
    "PGRST100",
    400,
    'Cannot parse offset: expected a non-negative integer, got "-1"',
  ],
  [
    "a limit above the maximum",
    `limit=${MAX_LIMIT + 1}`,
    "PGRST100",
    400,
    `Cannot parse limit: "${MAX_LIMIT + 1}" is more than the maximum of ${MAX_LIMIT}`,
  ],
  [
    "an offset above the maximum",
    `offset=${MAX_OFFSET + 1}`,
    "PGRST100",
    400,
    `Cannot parse offset: "${MAX_OFFSET + 1}" is more than the maximum of ${MAX_OFFSET}`,
  ],
  [
    "a huge limit",
    `limit=${"9".repeat(400)}`,
    "PGRST100",
    400,
    `Cannot parse limit: "${"9".repeat(40)}…" is more than the maximum of ${MAX_LIMIT}`,
  ],
  [
    "an embedded limit above the maximum",
    `contacts.limit=${MAX_LIMIT + 1}`,
    "PGRST100",
    400,
    `Cannot parse limit: "${MAX_LIMIT + 1}" is more than the maximum of ${MAX_LIMIT}`,
  ],
  ["a negative limit, as PostgREST", "limit=-1", "PGRST103", 416, "Requested range not satisfiable"],
];

for (const [name, text, code, status, message] of rejected) {
  Deno.test(`parseQuery() rejects ${name}`, () => {
    assert.throws(() => query(text), (err: unknown) => {
      assert.ok(err instanceof PostgrestError);
      assert.deepEqual([err.code, err.status, err.message], [code, status, message]);
      return true;
    });
  });
}

Deno.test("parseQuery() names the parameter in the details of a syntax error, quoted and cut short", () => {
  assert.throws(() => query(`${"k".repeat(100)}=x`), (err: unknown) => {
    assert.ok(err instanceof PostgrestError);
    assert.equal(err.details, `Query parameter: "${"k".repeat(40)}…"`);
    assert.match(err.hint ?? "", /^Use one of: /);
    return true;
  });
});

Deno.test("parseQuery() accepts the maximum limit and offset", () => {
  assert.deepEqual(query(`limit=${MAX_LIMIT}&offset=${MAX_OFFSET}`).ranges, [
    { path: [], limit: MAX_LIMIT, offset: MAX_OFFSET },
  ]);
  assert.deepEqual(query("limit=0").ranges, [{ path: [], limit: 0, offset: 0 }]);
});

Deno.test("parseQuery() handles a thousand parameters of 10 000 characters", () => {
  const params = new URLSearchParams();
  const value = "v".repeat(10_000);
  for (let i = 0; i < 1000; i++) params.append(`c${i}`, `eq.${value}`);
  const parsed = parseQuery(params);
  assert.equal(parsed.filters.length, 1000);
  assert.equal(
    parsed.filters[999]?.operation.kind === "compare" && parsed.filters[999].operation.value,
    value,
  );
});

Deno.test("parseQuery() rejects deeply nested or/and with a 400, not a crash", () => {
  const deep = "(" + "and(".repeat(10_000) + "a.eq.1" + ")".repeat(10_001);
  assert.throws(() => query(`or=${encodeURIComponent(deep)}`), { code: "PGRST100", status: 400 });
});
