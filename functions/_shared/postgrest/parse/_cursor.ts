/**
 * A position in a text being parsed, shared by the query-string grammars.
 *
 * @module
 */

import { quote } from "./_quote.ts";
import { QuerySyntaxError } from "./syntax_error.ts";

/** Options of {@linkcode Cursor}. */
export interface CursorOptions {
  /** What is being parsed, for messages: `select`, `filter`… */
  subject: string;
  /** Where reading starts; defaults to 0. */
  start?: number;
  /** Where reading stops (exclusive); defaults to the end of the text. */
  end?: number;
}

/** Options of {@linkcode Cursor.fail}. */
export interface FailOptions {
  /** The index of the problem; defaults to the current one. */
  at?: number;
  /** What to do about it. */
  hint?: string;
}

/**
 * Reads `text` from left to right up to `end`, and throws {@linkcode QuerySyntaxError}s that name the
 * subject and the 1-based position.
 *
 * @example
 * ```ts
 * const cursor = new Cursor("id,name", { subject: "select" });
 * cursor.eat("id"); // true
 * cursor.expect(")"); // throws: Cannot parse select: expected ")" at position 3
 * ```
 */
export class Cursor {
  /** The whole text; positions count from its start. */
  readonly text: string;
  /** What is being parsed, for messages. */
  readonly subject: string;
  /** Where reading stops (exclusive). */
  readonly end: number;
  /** The current index. */
  pos: number;

  /** Creates a cursor over `text` (from `start` to `end`, by default all of it). */
  constructor(text: string, options: CursorOptions) {
    this.text = text;
    this.subject = options.subject;
    this.pos = options.start ?? 0;
    this.end = options.end ?? text.length;
  }

  /** Whether the cursor is at the end. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  /** The character `ahead` positions on, or `""` past the end. */
  peek(ahead = 0): string {
    const at = this.pos + ahead;
    return at < this.end ? this.text.charAt(at) : "";
  }

  /** Whether the text continues with `s` (within the end). */
  startsWith(s: string): boolean {
    return this.pos + s.length <= this.end && this.text.startsWith(s, this.pos);
  }

  /** Consumes `s` if the text continues with it. */
  eat(s: string): boolean {
    if (!this.startsWith(s)) return false;
    this.pos += s.length;
    return true;
  }

  /** Consumes `s` or throws `expected "s"`. */
  expect(s: string): void {
    if (!this.eat(s)) this.fail(`expected ${JSON.stringify(s)}`);
  }

  /** Skips spaces and tabs, the whitespace PostgREST allows around items. */
  skipSpace(): void {
    while (this.peek() === " " || this.peek() === "\t") this.pos++;
  }

  /** Consumes characters while `test` holds and returns them. */
  takeWhile(test: (ch: string) => boolean): string {
    const start = this.pos;
    while (!this.done && test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** Throws `problem` at index `options.at` (by default the current one), with an optional hint. */
  fail(problem: string, options: FailOptions = {}): never {
    throw new QuerySyntaxError(problem, {
      subject: this.subject,
      position: (options.at ?? this.pos) + 1,
      ...(options.hint === undefined ? {} : { hint: options.hint }),
    });
  }

  /** Throws `unexpected "x"` (or `unexpected end of input`) at the current index. */
  unexpected(): never {
    if (this.done) this.fail("unexpected end of input");
    this.fail(`unexpected ${quote(String.fromCodePoint(this.text.codePointAt(this.pos) ?? 0))}`);
  }
}
