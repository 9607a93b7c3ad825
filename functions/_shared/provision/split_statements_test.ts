import assert from "node:assert/strict";
import { splitStatements } from "./split_statements.ts";

const cases: [string, string, string[]][] = [
  ["splits at semicolons and trims them", "select 1; select 2;", ["select 1", "select 2"]],
  ["keeps leading comments with the next statement", "select 1;\n-- two\nselect 2", [
    "select 1",
    "-- two\nselect 2",
  ]],
  ["ignores semicolons in line comments", "select 1 -- a; b\n;", ["select 1 -- a; b"]],
  ["ignores semicolons in nested block comments", "/* a /* b; */ c; */ select 1;", [
    "/* a /* b; */ c; */ select 1",
  ]],
  ["ignores semicolons in strings with doubled quotes", "select 'it''s; fine';", ["select 'it''s; fine'"]],
  ["ignores semicolons in quoted identifiers", 'select 1 as "a;b";', ['select 1 as "a;b"']],
  [
    "ignores semicolons in dollar-quoted bodies",
    "create function f() returns int language sql as $$ select 1; $$; select 2;",
    ["create function f() returns int language sql as $$ select 1; $$", "select 2"],
  ],
  [
    "matches tagged dollar quotes only with the same tag",
    "do $body$ begin perform '$$;'; end $body$; select 1;",
    ["do $body$ begin perform '$$;'; end $body$", "select 1"],
  ],
  ["does not take $1 for a dollar quote", "select $1; select 2;", ["select $1", "select 2"]],
  [
    "keeps BEGIN ATOMIC bodies whole",
    "create function f() returns int language sql begin atomic select 1; select 2; end; select 3;",
    ["create function f() returns int language sql begin atomic select 1; select 2; end", "select 3"],
  ],
  ["ignores semicolons in parentheses", "select (1; 2); select 3", ["select (1; 2)", "select 3"]],
  ["drops empty statements", ";;\n  ;select 1;;", ["select 1"]],
  ["keeps a trailing comment as its own statement, as the CLI does", "select 1;\n-- end\n", [
    "select 1",
    "-- end",
  ]],
];

// Equality with the CLI on the real migrations: apply_migrations_test.ts compares the history rows.
for (const [name, sql, expected] of cases) {
  Deno.test(`splitStatements() ${name}`, () => {
    assert.deepEqual(splitStatements(sql), expected);
  });
}
