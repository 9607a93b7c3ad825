import assert from "node:assert/strict";
import { PostgrestError } from "../../errors/postgrest_error.ts";
import {
  MAX_CONDITIONS,
  MAX_JSON_DEPTH,
  MAX_ORDER_TERMS,
  MAX_PATTERN_LENGTH,
  MAX_SELECT_ITEMS,
  MAX_TSQUERY_NESTING,
} from "./limits.ts";
import { parseBody } from "./parse_body.ts";
import { parseQuery } from "./parse_query.ts";

const refusals: [string, () => unknown, string][] = [
  [
    `more than ${MAX_SELECT_ITEMS} select items, embedded ones included`,
    () =>
      parseQuery(
        new URLSearchParams({ select: `id,contacts(${Array(MAX_SELECT_ITEMS).fill("id").join(",")})` }),
      ),
    "PGRST100",
  ],
  [
    `more than ${MAX_ORDER_TERMS} order terms`,
    () => parseQuery(new URLSearchParams({ order: Array(MAX_ORDER_TERMS + 1).fill("id").join(",") })),
    "PGRST100",
  ],
  [
    `more than ${MAX_CONDITIONS} filter conditions, or-tree leaves included`,
    () =>
      parseQuery(
        new URLSearchParams([
          ["id", "eq.1"],
          ["or", `(${Array(MAX_CONDITIONS).fill("id.eq.1").join(",")})`],
        ]),
      ),
    "PGRST100",
  ],
  [
    `more than ${MAX_SELECT_ITEMS} columns`,
    () => parseQuery(new URLSearchParams({ columns: Array(MAX_SELECT_ITEMS + 1).fill("id").join(",") })),
    "PGRST100",
  ],
  [
    `a JSON body nested deeper than ${MAX_JSON_DEPTH} levels`,
    () =>
      parseBody(
        new TextEncoder().encode(`{"a":${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}}`),
        {
          target: "insert",
        },
      ),
    "PGRST102",
  ],
];

for (const [name, parse, code] of refusals) {
  Deno.test(`the parse stage refuses ${name} with 400 ${code}`, () => {
    assert.throws(
      parse,
      (error) => error instanceof PostgrestError && error.code === code && error.status === 400,
    );
  });
}

Deno.test("the parse stage accepts requests right at its limits", () => {
  const select = Array(MAX_SELECT_ITEMS).fill("id").join(",");
  assert.equal(parseQuery(new URLSearchParams({ select })).select.length, MAX_SELECT_ITEMS);
  const deep = `{"a":${"[".repeat(MAX_JSON_DEPTH - 1)}${"]".repeat(MAX_JSON_DEPTH - 1)}}`;
  assert.equal(parseBody(new TextEncoder().encode(deep), { target: "insert" }).kind, "object");
  // Brackets inside strings do not count.
  const quoted = JSON.stringify({ a: "[".repeat(10_000) });
  assert.equal(parseBody(new TextEncoder().encode(quoted), { target: "insert" }).kind, "object");
});

Deno.test("the parse stage refuses a regular expression longer than MAX_PATTERN_LENGTH and a cast to a pseudo-type", () => {
  const long = new URLSearchParams({ name: `imatch.${"ab".repeat(MAX_PATTERN_LENGTH)}` });
  assert.throws(
    () => parseQuery(long),
    (error) => error instanceof PostgrestError && error.code === "PGRST100",
  );
  assert.equal(parseQuery(new URLSearchParams({ name: `like.${"a".repeat(5000)}` })).filters.length, 1);
  for (const type of ["unknown", "record", "anyelement[]"]) {
    assert.throws(
      () => parseQuery(new URLSearchParams({ select: `name::${type}` })),
      (error) => error instanceof PostgrestError && error.code === "PGRST100",
      type,
    );
  }
});

Deno.test("the parse stage refuses a text search query nested deeper than MAX_TSQUERY_NESTING", () => {
  const deep = MAX_TSQUERY_NESTING + 1;
  for (
    const filter of [
      `fts.${"(".repeat(40_000)}`,
      `fts.${"(".repeat(deep)}cat${")".repeat(deep)}`,
      `fts(english).${"!".repeat(deep)}cat`,
      `not.fts.cat & ${"! ".repeat(deep)}dog`,
      `wfts.${"-".repeat(deep)}cat`,
    ]
  ) {
    assert.throws(
      () => parseQuery(new URLSearchParams({ name: filter })),
      (error) => error instanceof PostgrestError && error.code === "PGRST100" && error.status === 400,
      filter.slice(0, 40),
    );
  }
  for (
    const filter of [
      `fts.${"(".repeat(MAX_TSQUERY_NESTING)}cat${")".repeat(MAX_TSQUERY_NESTING)}`,
      `fts.${"!cat & ".repeat(100)}dog`,
      `wfts."fat cat" -rat -${"-dog ".repeat(100)}`,
      // No operators in these: whatever they hold is words.
      `plfts.${"(".repeat(1000)}cat`,
      `phfts.${"!".repeat(1000)}cat`,
    ]
  ) {
    assert.equal(parseQuery(new URLSearchParams({ name: filter })).filters.length, 1, filter.slice(0, 40));
  }
});

Deno.test("the parse stage refuses a query parameter nesting arrays or objects deeper than MAX_JSON_DEPTH", () => {
  const deep = "[".repeat(MAX_JSON_DEPTH + 1);
  for (
    const params of [
      { address: `cs.${deep}` },
      { address: `eq.${"{".repeat(20_000)}` },
      { or: `(address.cd.${deep},name.eq.a)` },
      { address: `in.(${deep})` },
    ]
  ) {
    assert.throws(
      () => parseQuery(new URLSearchParams(params)),
      (error) => error instanceof PostgrestError && error.code === "PGRST100" && error.status === 400,
      JSON.stringify(params).slice(0, 40),
    );
  }
  // A function argument of an RPC read.
  assert.throws(
    () => parseQuery(new URLSearchParams({ doc: deep }), { rpcRead: true }),
    (error) => error instanceof PostgrestError && error.code === "PGRST100",
  );
  const shallow = "[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH);
  assert.equal(parseQuery(new URLSearchParams({ address: `cs.${shallow}` })).filters.length, 1);
  // Inside a JSON string, brackets are text.
  const quoted = JSON.stringify({ a: "[".repeat(1000) });
  assert.equal(parseQuery(new URLSearchParams({ address: `cs.${quoted}` })).filters.length, 1);
});
