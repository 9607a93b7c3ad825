/**
 * Grammar pieces shared by the select, filter, logic and order parsers: names (PostgREST's `pFieldName`),
 * quoted strings, JSON paths and fields.
 *
 * @module
 */

import type { Cursor } from "./_cursor.ts";
import type { Field, JsonPathStep } from "./request.ts";

const IDENTIFIER_CHAR = /^[\p{L}\p{M}\p{Nd}_ $]$/u;
const JSON_KEY_STOP = new Set(["(", "-", ":", ".", ",", ">", ")"]);
const INDEX = /-?\d+/y;
const MAX_INDEX = 2 ** 31 - 1;

/** Whether `ch` may appear in an unquoted name: a letter, a digit, `_`, `$` or a space, as in PostgREST. */
export function isIdentifierChar(ch: string): boolean {
  return IDENTIFIER_CHAR.test(ch);
}

/**
 * A double-quoted string: `"weird, name"`. A backslash takes the next character literally (`\"`, `\\`).
 * `what` names it in the error for a missing closing quote.
 */
export function parseQuoted(c: Cursor, what: string): string {
  const start = c.pos;
  c.expect('"');
  let out = "";
  for (;;) {
    if (c.done) c.fail(`unterminated quoted ${what}`, { at: start });
    const ch = c.peek();
    c.pos++;
    if (ch === '"') return out;
    if (ch === "\\") {
      if (c.done) c.fail(`unterminated quoted ${what}`, { at: start });
      out += c.peek();
      c.pos++;
    } else {
      out += ch;
    }
  }
}

/**
 * A name (column, table, alias, hint): a quoted string, or identifier characters joined by `-` (a `-` that
 * does not start `->`). Spaces around an unquoted name are trimmed. Names are never empty and never
 * contain NUL (PostgreSQL identifiers cannot).
 */
export function parseName(c: Cursor): string {
  const start = c.pos;
  let name: string;
  if (c.peek() === '"') {
    name = parseQuoted(c, "name");
  } else {
    const parts = [parseIdentifier(c)];
    while (c.peek() === "-" && c.peek(1) !== ">") {
      c.pos++;
      parts.push(parseIdentifier(c));
    }
    name = parts.join("-");
  }
  if (name === "") c.fail("empty name", { at: start });
  if (name.includes("\0")) c.fail("a name cannot contain NUL", { at: start });
  return name;
}

function parseIdentifier(c: Cursor): string {
  const raw = c.takeWhile(isIdentifierChar);
  const trimmed = raw.trim();
  if (trimmed === "") c.unexpected();
  return trimmed;
}

/** A JSON path: any number of `->operand` / `->>operand` steps (none is an empty path). */
export function parseJsonPath(c: Cursor): JsonPathStep[] {
  const steps: JsonPathStep[] = [];
  while (c.startsWith("->")) {
    const arrow = c.eat("->>") ? "->>" : "->";
    if (arrow === "->") c.pos += 2;
    const index = parseIndex(c);
    if (index !== null) {
      steps.push({ arrow, kind: "index", index });
    } else {
      steps.push({ arrow, kind: "key", key: parseJsonKey(c) });
    }
  }
  return steps;
}

/** An array index (`0`, `-1`) when digits are followed by the end of the operand; else `null`. */
function parseIndex(c: Cursor): number | null {
  INDEX.lastIndex = c.pos;
  const match = INDEX.exec(c.text);
  if (match === null) return null;
  const after = c.pos + match[0].length;
  if (after > c.end) return null;
  const next = after === c.end ? "" : c.text.charAt(after);
  const ends = next === "" || next === "." || next === "," || next === ")" ||
    c.text.startsWith("->", after) || c.text.startsWith("::", after);
  if (!ends) return null;
  const index = Number(match[0]);
  if (Math.abs(index) > MAX_INDEX) c.fail("JSON array index out of range");
  c.pos = after;
  return index === 0 ? 0 : index; // no -0
}

function parseJsonKey(c: Cursor): string {
  const start = c.pos;
  let key: string;
  if (c.peek() === '"') {
    key = parseQuoted(c, "JSON key");
  } else {
    const parts = [parseJsonKeyPart(c)];
    while (c.peek() === "-" && c.peek(1) !== ">") {
      c.pos++;
      parts.push(parseJsonKeyPart(c));
    }
    key = parts.join("-");
  }
  if (key.includes("\0")) c.fail("a JSON key cannot contain NUL", { at: start });
  return key;
}

function parseJsonKeyPart(c: Cursor): string {
  const part = c.takeWhile((ch) => !JSON_KEY_STOP.has(ch)).trim();
  if (part === "") c.unexpected();
  return part;
}

/** A column with its JSON path, spaces around it skipped: ` address->>city `. */
export function parseField(c: Cursor): Field {
  c.skipSpace();
  const name = parseName(c);
  const jsonPath = parseJsonPath(c);
  c.skipSpace();
  return { name, jsonPath };
}

/** Comma-separated names, spaces around them skipped: `"first_name", email` (`columns`, `on_conflict`). */
export function parseNameList(c: Cursor): string[] {
  const names: string[] = [];
  do {
    c.skipSpace();
    names.push(parseName(c));
    c.skipSpace();
  } while (c.eat(","));
  if (!c.done) c.unexpected();
  return names;
}

/**
 * The dot-separated names of a reserved parameter's key, such as `contacts.order` or `contacts.not.or`;
 * the last one is the parameter itself.
 */
export function parseKeyPath(c: Cursor): string[] {
  const names = [parseName(c)];
  while (c.eat(".")) names.push(parseName(c));
  if (!c.done) c.unexpected();
  return names;
}
