import assert from "node:assert/strict";
import { MAX_LOGIC_DEPTH } from "./limits.ts";
import { parseLogic } from "./parse_logic.ts";
import type { LogicFilter, LogicTree, Operation } from "./request.ts";
import { QuerySyntaxError } from "./syntax_error.ts";
import { cmp, field, key } from "../testdata/helpers.ts";

function leaf(name: string, operation: Operation, negated = false): LogicTree {
  return { kind: "filter", field: field(name), negated, operation };
}

function node(operator: "and" | "or", children: LogicTree[], negated = false): LogicTree & { kind: "logic" } {
  return { kind: "logic", operator, negated, children };
}

const accepted: [name: string, key: string, value: string, expected: LogicFilter][] = [
  ["or", "or", "(email.ilike.*acme*,last_name.eq.Smith)", {
    path: [],
    tree: node("or", [leaf("email", cmp("ilike", "%acme%")), leaf("last_name", cmp("eq", "Smith"))]),
  }],
  ["or with a nested and", "or", "(amount.gt.100,and(stage.eq.won,amount.lt.50))", {
    path: [],
    tree: node("or", [
      leaf("amount", cmp("gt", "100")),
      node("and", [leaf("stage", cmp("eq", "won")), leaf("amount", cmp("lt", "50"))]),
    ]),
  }],
  ["and", "and", "(a.eq.1,b.eq.2)", {
    path: [],
    tree: node("and", [leaf("a", cmp("eq", "1")), leaf("b", cmp("eq", "2"))]),
  }],
  ["not.or", "not.or", "(a.eq.1)", { path: [], tree: node("or", [leaf("a", cmp("eq", "1"))], true) }],
  ["an embedded or", "contacts.or", "(email.eq.x@y.z)", {
    path: ["contacts"],
    tree: node("or", [leaf("email", cmp("eq", "x@y.z"))]),
  }],
  ["an embedded not.and", "a.b.not.and", "(x.is.null)", {
    path: ["a", "b"],
    tree: node("and", [leaf("x", { kind: "is", value: "null" })], true),
  }],
  ["a nested not.and", "or", "(a.eq.1,not.and(b.eq.2,c.not.eq.3))", {
    path: [],
    tree: node("or", [
      leaf("a", cmp("eq", "1")),
      node("and", [leaf("b", cmp("eq", "2")), leaf("c", cmp("eq", "3"), true)], true),
    ]),
  }],
  ["quoted values with commas and parentheses", "or", '(name.eq."a,b",name.eq."x)y",name.eq."q\\"r")', {
    path: [],
    tree: node("or", [
      leaf("name", cmp("eq", "a,b")),
      leaf("name", cmp("eq", "x)y")),
      leaf("name", cmp("eq", 'q"r')),
    ]),
  }],
  ["arrays and JSON in braces", "or", '(tags.cs.{a,b},address.cs.{"country":"DE"})', {
    path: [],
    tree: node("or", [leaf("tags", cmp("cs", "{a,b}")), leaf("address", cmp("cs", '{"country":"DE"}'))]),
  }],
  ["in lists", "or", '(id.in.(1,2),name.not.in.("a,b",c))', {
    path: [],
    tree: node("or", [
      leaf("id", { kind: "in", values: ["1", "2"] }),
      leaf("name", { kind: "in", values: ["a,b", "c"] }, true),
    ]),
  }],
  ["is, isdistinct and fts", "or", "(a.is.true,b.isdistinct.x,c.fts(english).cat)", {
    path: [],
    tree: node("or", [
      leaf("a", { kind: "is", value: "true" }),
      leaf("b", { kind: "isdistinct", value: "x" }),
      leaf("c", { kind: "fts", operator: "fts", config: "english", value: "cat" }),
    ]),
  }],
  ["JSON paths", "or", "(address->>city.eq.Berlin,data->0.gt.1)", {
    path: [],
    tree: node("or", [
      {
        kind: "filter",
        field: field("address", key("->>", "city")),
        negated: false,
        operation: cmp("eq", "Berlin"),
      },
      {
        kind: "filter",
        field: { name: "data", jsonPath: [{ arrow: "->", kind: "index", index: 0 }] },
        negated: false,
        operation: cmp("gt", "1"),
      },
    ]),
  }],
  ["spaces around items", "or", "( a.eq.1 , b.eq.2 )", {
    path: [],
    tree: node("or", [leaf("a", cmp("eq", "1 ")), leaf("b", cmp("eq", "2 "))]),
  }],
  ["columns named and, or and not", "or", "(and.eq.1,or.eq.2,not.eq.3)", {
    path: [],
    tree: node("or", [leaf("and", cmp("eq", "1")), leaf("or", cmp("eq", "2")), leaf("not", cmp("eq", "3"))]),
  }],
  ["an empty value", "or", "(a.eq.,b.eq.2)", {
    path: [],
    tree: node("or", [leaf("a", cmp("eq", "")), leaf("b", cmp("eq", "2"))]),
  }],
  ["a quote that does not end the value, as raw text", "or", '(a.eq."x"y)', {
    path: [],
    tree: node("or", [leaf("a", cmp("eq", '"x"y'))]),
  }],
  ["SQL text as a value", "or", "(a.eq.'; drop table x; --)", {
    path: [],
    tree: node("or", [leaf("a", cmp("eq", "'; drop table x; --"))]),
  }],
];

for (const [name, k, v, expected] of accepted) {
  Deno.test(`parseLogic() parses ${name}`, () => {
    assert.deepEqual(parseLogic(k, v), expected);
  });
}

const rejected: [name: string, key: string, value: string, message: string][] = [
  ["an empty tree", "or", "()", 'Cannot parse logic tree: unexpected ")" at position 5'],
  ["a missing parenthesis", "or", "a.eq.1", 'Cannot parse logic tree: expected "(" at position 4'],
  ["an unclosed tree", "or", "(a.eq.1", 'Cannot parse logic tree: expected ")" at position 11'],
  [
    "an unclosed nested tree",
    "or",
    "(a.eq.1,and(b.eq.2)",
    'Cannot parse logic tree: expected ")" at position 23',
  ],
  [
    "an extra closing parenthesis",
    "or",
    "(a.eq.1))",
    'Cannot parse logic tree: unexpected ")" at position 12',
  ],
  [
    "a list value without parentheses",
    "or",
    "(id.in.1,2,id.eq.3)",
    'Cannot parse logic tree: expected "(" to start the list at position 11',
  ],
  ["an unknown operator", "or", "(a.eqq.1)", 'Cannot parse logic tree: unknown operator "eqq" at position 7'],
  [
    "an unknown logic operator",
    "or",
    "(a.eq.1,xor(b.eq.2))",
    'Cannot parse logic tree: expected "." after the column at position 15',
  ],
  [
    "a filter without an operator",
    "or",
    "(a)",
    'Cannot parse logic tree: expected "." after the column at position 6',
  ],
  [
    "an embed path inside the tree",
    "or",
    "(contacts.email.eq.x)",
    'Cannot parse logic tree: unknown operator "email" at position 14',
  ],
  [
    "a key that is not and/or",
    "xor",
    "(a.eq.1)",
    'Cannot parse logic tree: expected "and" or "or" at the end of the key at position 1',
  ],
  [
    "an empty key segment",
    "contacts..or",
    "(a.eq.1)",
    'Cannot parse logic tree: unexpected "." at position 10',
  ],
];

for (const [name, k, v, message] of rejected) {
  Deno.test(`parseLogic() rejects ${name}`, () => {
    assert.throws(() => parseLogic(k, v), (err: unknown) => {
      assert.ok(err instanceof QuerySyntaxError);
      assert.equal(err.message, message);
      return true;
    });
  });
}

function nested(levels: number): string {
  // The parameter itself is level 1: `or=(` … then levels - 1 nested `and(`.
  return "(" + "and(".repeat(levels - 1) + "a.eq.1" + ")".repeat(levels);
}

Deno.test("parseLogic() accepts trees nested to the maximum depth", () => {
  let tree: LogicTree = parseLogic("or", nested(MAX_LOGIC_DEPTH)).tree;
  let depth = 1;
  while (tree.kind === "logic" && tree.children[0]?.kind === "logic") {
    tree = tree.children[0];
    depth++;
  }
  assert.equal(depth, MAX_LOGIC_DEPTH);
});

Deno.test("parseLogic() rejects trees nested beyond the maximum depth with a clean error", () => {
  assert.throws(() => parseLogic("or", nested(MAX_LOGIC_DEPTH + 1)), {
    name: "QuerySyntaxError",
    message: `Cannot parse logic tree: and/or nest deeper than ${MAX_LOGIC_DEPTH} levels at position ${
      // `or=(` then one `and(` per level: the parenthesis that opens the level too many.
      "or=(".length + "and(".length * MAX_LOGIC_DEPTH}`,
  });
});

Deno.test("parseLogic() rejects 100 000 nested trees without exhausting the stack", () => {
  assert.throws(() => parseLogic("or", nested(100_000)), { name: "QuerySyntaxError" });
  assert.throws(() => parseLogic("or", "(".repeat(100_000)), { name: "QuerySyntaxError" });
});

Deno.test("parseLogic() takes a smaller maximum depth as an option", () => {
  assert.throws(() => parseLogic("or", "(and(a.eq.1))", { maxDepth: 1 }), {
    message: "Cannot parse logic tree: and/or nest deeper than 1 levels at position 8",
  });
});
