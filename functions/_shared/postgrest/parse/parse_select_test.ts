import assert from "node:assert/strict";
import { MAX_EMBED_DEPTH } from "./limits.ts";
import { CAST_TYPE_PATTERN, parseSelect } from "./parse_select.ts";
import type { SelectItem } from "./request.ts";
import { QuerySyntaxError } from "./syntax_error.ts";
import { col, embed, field, idx, key } from "../testdata/helpers.ts";

const accepted: [name: string, input: string, expected: SelectItem[]][] = [
  ["a star", "*", [{ kind: "star" }]],
  ["an empty value as an empty list", "", []],
  ["columns", "id,first_name,last_name", [col("id"), col("first_name"), col("last_name")]],
  ["spaces and tabs around items and commas", " id ,\tname ", [col("id"), col("name")]],
  ["a name with inner spaces, $ and dashes", "first name,a$b,x-y", [
    col("first name"),
    col("a$b"),
    col("x-y"),
  ]],
  ["unicode names", "größe,名前,café", [col("größe"), col("名前"), col("café")]],
  ["an alias", "name:first_name", [col("first_name", { alias: "name" })]],
  ["a cast", "id::text", [col("id", { cast: "text" })]],
  ["a cast lower-cased with single spaces", "x::Double  Precision", [col("x", { cast: "double precision" })]],
  ["an array cast", "tags::text[]", [col("tags", { cast: "text[]" })]],
  ["an alias and a cast", "n:amount::int", [col("amount", { alias: "n", cast: "int" })]],
  ["a JSON path", "address->>city", [col(field("address", key("->>", "city")))]],
  [
    "a JSON path with an alias",
    "city:address->geo->>lat",
    [col(field("address", key("->", "geo"), key("->>", "lat")), { alias: "city" })],
  ],
  ["array indexes", "data->0->>-1", [col(field("data", idx("->", 0), idx("->>", -1)))]],
  ["a digit key that is not an index", "data->0a", [col(field("data", key("->", "0a")))]],
  ["a quoted JSON key", 'data->"a.b"', [col(field("data", key("->", "a.b")))]],
  ["a JSON path with a cast", "data->>n::int", [col(field("data", key("->>", "n")), { cast: "int" })]],
  ["quoted identifiers", '"weird, name","a\\"b",x:"y(z)"', [
    col("weird, name"),
    col('a"b'),
    col("y(z)", { alias: "x" }),
  ]],
  ["an embed", "id,account:accounts(id,name)", [
    col("id"),
    embed("accounts", [col("id"), col("name")], { alias: "account" }),
  ]],
  ["an inner embed", "contacts!inner(id)", [embed("contacts", [col("id")], { join: "inner" })]],
  ["a left embed", "contacts!left(id)", [embed("contacts", [col("id")], { join: "left" })]],
  ["a hint", "venue:venues!events_venue_id_fkey(name)", [
    embed("venues", [col("name")], { alias: "venue", hint: "events_venue_id_fkey" }),
  ]],
  ["a hint and a join in either order", "a:t!fk!inner(*),t!left!fk(*)", [
    embed("t", [{ kind: "star" }], { alias: "a", hint: "fk", join: "inner" }),
    embed("t", [{ kind: "star" }], { hint: "fk", join: "left" }),
  ]],
  ["a hint that starts like a join type", "t!inner_fk(*)", [
    embed("t", [{ kind: "star" }], { hint: "inner_fk" }),
  ]],
  ["an empty embed", "contacts()", [embed("contacts", [])]],
  ["nested embeds", "id,opportunities(id,opportunity_line_items(id,products(name)))", [
    col("id"),
    embed("opportunities", [
      col("id"),
      embed("opportunity_line_items", [col("id"), embed("products", [col("name")])]),
    ]),
  ]],
  ["a related count", "id,contacts(count)", [
    col("id"),
    embed("contacts", [{ kind: "count", alias: null, cast: null, bare: true }]),
  ]],
  ["count()", "total:count()::int", [{ kind: "count", alias: "total", cast: "int", bare: false }]],
  ["a quoted count as a column", '"count"', [col("count")]],
  ["a count column with a cast", "count::text", [col("count", { cast: "text" })]],
  ["a spread", "...accounts!inner(name)", [{
    kind: "spread",
    relation: "accounts",
    hint: null,
    join: "inner",
    select: [col("name")],
  }]],
  ["an aggregate", "amount.sum()", [col("amount", { aggregate: "sum" })]],
  ["an aggregate with casts", "amount::numeric.avg()::int", [col("amount", {
    cast: "numeric",
    aggregate: "avg",
    aggregateCast: "int",
  })]],
];

for (const [name, input, expected] of accepted) {
  Deno.test(`parseSelect() parses ${name}`, () => {
    assert.deepEqual(parseSelect(input), expected);
  });
}

const rejected: [name: string, input: string, message: string][] = [
  ["an unclosed embed", "id,contacts(", 'Cannot parse select: expected ")" at position 13'],
  ["an unbalanced closing parenthesis", "id)", 'Cannot parse select: unexpected ")" at position 3'],
  ["a trailing comma", "id,", "Cannot parse select: unexpected end of input at position 4"],
  ["an empty item", "id,,name", 'Cannot parse select: unexpected "," at position 4'],
  [
    "a second cast without an aggregate",
    "id,created::created_at::text",
    'Cannot parse select: unexpected ":" at position 23',
  ],
  ["an empty cast", "id::", 'Cannot parse select: expected a type after "::" at position 5'],
  ["a cast with parentheses", "id::varchar(10)", 'Cannot parse select: unexpected "(" at position 12'],
  ["a cast with a $", "id::a$b", 'Cannot parse select: invalid cast type "a$b" at position 5'],
  ["a cast of a non-ASCII type", "id::тип", 'Cannot parse select: invalid cast type "тип" at position 5'],
  ["a cast with SQL in it", "id::text; drop table x", 'Cannot parse select: unexpected ";" at position 9'],
  ["a hint on a column", "name!hint", "Cannot parse select: unexpected end of input at position 10"],
  ["two hints", "t!a!b(*)", "Cannot parse select: an embed takes one hint at position 4"],
  ["two join types", "t!inner!left(*)", "Cannot parse select: an embed takes one join type at position 8"],
  ["a JSON path on an embed", "rel->x(*)", 'Cannot parse select: unexpected "(" at position 7'],
  ["an alias on a star", "a:*", 'Cannot parse select: unexpected "*" at position 3'],
  ["an alias on a spread", "a:...t(*)", 'Cannot parse select: unexpected "." at position 3'],
  [
    "an unknown aggregate",
    "amount.median()",
    "Cannot parse select: expected an aggregate: avg(), count(), max(), min() or sum() at position 8",
  ],
  ["count with an argument", "count(id)", 'Cannot parse select: unexpected "(" at position 6'],
  ["an unterminated quoted name", 'id,"abc', "Cannot parse select: unterminated quoted name at position 4"],
  ["an empty quoted name", '""', "Cannot parse select: empty name at position 1"],
  ["a NUL in a quoted name", '"a\u0000b"', "Cannot parse select: a name cannot contain NUL at position 1"],
  ["a NUL in a name", "a\u0000b", 'Cannot parse select: unexpected "\\u0000" at position 2'],
  [
    "a NUL in a JSON key",
    'data->"a\u0000"',
    "Cannot parse select: a JSON key cannot contain NUL at position 7",
  ],
  ["a dangling arrow", "data->", "Cannot parse select: unexpected end of input at position 7"],
  [
    "an index out of range",
    "data->99999999999",
    "Cannot parse select: JSON array index out of range at position 7",
  ],
  ["SQL injection in a name", "id;drop table contacts", 'Cannot parse select: unexpected ";" at position 3'],
  ["a newline between items", "id,\nname", 'Cannot parse select: unexpected "\\n" at position 4'],
  ["an emoji", "id,😀", 'Cannot parse select: unexpected "😀" at position 4'],
];

for (const [name, input, message] of rejected) {
  Deno.test(`parseSelect() rejects ${name}`, () => {
    assert.throws(() => parseSelect(input), (err: unknown) => {
      assert.ok(err instanceof QuerySyntaxError);
      assert.ok(err instanceof SyntaxError);
      assert.equal(err.message, message);
      return true;
    });
  });
}

function nested(levels: number): string {
  return "r(".repeat(levels) + "id" + ")".repeat(levels);
}

Deno.test("parseSelect() accepts embeds nested to the maximum depth", () => {
  let items = parseSelect(nested(MAX_EMBED_DEPTH));
  for (let level = 0; level < MAX_EMBED_DEPTH; level++) {
    const [first] = items;
    assert.ok(first?.kind === "embed");
    items = [...first.select];
  }
  assert.deepEqual(items, [col("id")]);
});

Deno.test("parseSelect() rejects embeds nested beyond the maximum depth at the opening parenthesis", () => {
  assert.throws(() => parseSelect(nested(MAX_EMBED_DEPTH + 1)), {
    name: "QuerySyntaxError",
    message:
      `Cannot parse select: embedded resources nest deeper than ${MAX_EMBED_DEPTH} levels at position ${
        2 * MAX_EMBED_DEPTH + 2
      }`,
  });
});

Deno.test("parseSelect() rejects 100 000 nested embeds without exhausting the stack", () => {
  assert.throws(() => parseSelect(nested(100_000)), { name: "QuerySyntaxError" });
});

Deno.test("parseSelect() takes a smaller maximum depth as an option", () => {
  assert.throws(() => parseSelect("a(b(c(id)))", { maxDepth: 2 }), {
    message: "Cannot parse select: embedded resources nest deeper than 2 levels at position 6",
  });
});

Deno.test("parseSelect() keeps a 10 000-character quoted name", () => {
  const long = "x".repeat(10_000);
  assert.deepEqual(parseSelect(`"${long}"`), [col(long)]);
});

Deno.test("parseSelect() quotes a long unexpected text in the message, cut short", () => {
  assert.throws(() => parseSelect(`id::${"a$".repeat(5000)}`), (err: unknown) => {
    assert.ok(err instanceof QuerySyntaxError);
    assert.ok(err.message.length < 120, err.message);
    return true;
  });
});

Deno.test("CAST_TYPE_PATTERN admits type names and nothing that could carry SQL", () => {
  for (const type of ["text", "int4", "double precision", "timestamp with time zone", "text[]", "_int4"]) {
    assert.ok(CAST_TYPE_PATTERN.test(type), type);
  }
  for (
    const type of ["", "1int", "text;", "text[][]", "Text", "a  b", "varchar(1)", "x'", 'x"', "a.b", " text"]
  ) {
    assert.ok(!CAST_TYPE_PATTERN.test(type), type);
  }
});
