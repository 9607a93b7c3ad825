import assert from "node:assert/strict";
import { Cursor } from "./_cursor.ts";
import {
  isIdentifierChar,
  parseField,
  parseJsonPath,
  parseKeyPath,
  parseName,
  parseNameList,
  parseQuoted,
} from "./_grammar.ts";
import { field, idx, key } from "../testdata/helpers.ts";

function at(text: string): Cursor {
  return new Cursor(text, { subject: "test" });
}

Deno.test("isIdentifierChar() admits letters, digits, _, $ and space", () => {
  for (const ch of ["a", "Z", "é", "名", "0", "_", "$", " "]) assert.ok(isIdentifierChar(ch), ch);
  for (const ch of ["-", ".", ",", "(", ")", ":", "!", '"', "'", ";", "\t", "\n", "\u0000", "*"]) {
    assert.ok(!isIdentifierChar(ch), JSON.stringify(ch));
  }
});

Deno.test("parseQuoted() unescapes backslashes and stops at the closing quote", () => {
  const c = at('"a\\"b\\\\c",rest');
  assert.equal(parseQuoted(c, "name"), 'a"b\\c');
  assert.equal(c.peek(), ",");
  assert.throws(() => parseQuoted(at('"abc\\'), "name"), {
    message: "Cannot parse test: unterminated quoted name at position 1",
  });
});

const names: [input: string, name: string, rest: string][] = [
  ["id", "id", ""],
  ["first name,x", "first name", ",x"],
  [" padded ", "padded", ""],
  ["a-b-c->x", "a-b-c", "->x"],
  ['"a.b"(', "a.b", "("],
  ["größe", "größe", ""],
];

for (const [input, name, rest] of names) {
  Deno.test(`parseName() reads ${JSON.stringify(input)}`, () => {
    const c = at(input);
    assert.equal(parseName(c), name);
    assert.equal(c.text.slice(c.pos), rest);
  });
}

Deno.test("parseJsonPath() reads keys and indexes up to the end of the path", () => {
  const c = at('->a->>b->0->>-1->"c.d"->k-e-y.desc');
  assert.deepEqual(parseJsonPath(c), [
    key("->", "a"),
    key("->>", "b"),
    idx("->", 0),
    idx("->>", -1),
    key("->", "c.d"),
    key("->", "k-e-y"),
  ]);
  assert.equal(c.text.slice(c.pos), ".desc");
});

Deno.test("parseJsonPath() reads special characters in keys, as PostgREST", () => {
  assert.deepEqual(parseJsonPath(at("->!@#$%^&*_a")), [key("->", "!@#$%^&*_a")]);
});

Deno.test("parseField() reads a name and its JSON path between spaces", () => {
  const c = at(" data->>x ,");
  assert.deepEqual(parseField(c), field("data", key("->>", "x")));
  assert.equal(c.peek(), ",");
});

Deno.test("parseNameList() reads comma-separated names", () => {
  assert.deepEqual(parseNameList(at('"first_name", email ,"a,b"')), ["first_name", "email", "a,b"]);
  assert.throws(() => parseNameList(at("a,")), {
    message: "Cannot parse test: unexpected end of input at position 3",
  });
});

Deno.test("parseKeyPath() reads dot-separated names to the end", () => {
  assert.deepEqual(parseKeyPath(at("contacts.not.or")), ["contacts", "not", "or"]);
  assert.throws(() => parseKeyPath(at("a.b(")), {
    message: 'Cannot parse test: unexpected "(" at position 4',
  });
});
