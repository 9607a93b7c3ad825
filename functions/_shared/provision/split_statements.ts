/**
 * Splits a migration file into statements the way the Supabase CLI does (`pkg/parser`), so the
 * `statements` column of `supabase_migrations.schema_migrations` reads the same whichever tool applied
 * a migration.
 *
 * @module
 */

/**
 * Splits SQL at every `;` that is outside a string (`'…'`, `"…"`, `$tag$…$tag$`), a comment (`--`,
 * nested `/* *\/`), parentheses or a `BEGIN ATOMIC … END` body. Like the CLI, each statement keeps its
 * leading comments and inner whitespace; trailing `;`s and outer whitespace are trimmed and empty
 * statements dropped.
 *
 * @example
 * ```ts
 * splitStatements("create table t (a int); -- done\ninsert into t values (1);");
 * // ["create table t (a int)", "-- done\ninsert into t values (1)"]
 * ```
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let depth = 0;
  let atomic = false;
  let i = 0;
  const emit = (end: number) => {
    const statement = sql.slice(start, end).replace(/;+$/, "").trim();
    if (statement !== "") statements.push(statement);
    start = end;
  };
  while (i < sql.length) {
    const char = sql[i]!;
    const next = sql[i + 1];
    if (char === "-" && next === "-") {
      const end = sql.indexOf("\n", i + 2);
      i = end < 0 ? sql.length : end + 1;
    } else if (char === "/" && next === "*") {
      i = skipBlockComment(sql, i);
    } else if (char === "'" || char === '"') {
      i = skipQuoted(sql, i, char);
    } else if (char === "$" && dollarTag(sql, i) !== undefined) {
      const tag = dollarTag(sql, i)!;
      const end = sql.indexOf(tag, i + tag.length);
      i = end < 0 ? sql.length : end + tag.length;
    } else if (char === "\\") {
      i += 2;
    } else if (char === "(") {
      depth++;
      i++;
    } else if (char === ")") {
      depth = Math.max(0, depth - 1);
      i++;
    } else if (/[A-Za-z_]/.test(char) && (i === 0 || !/[A-Za-z0-9_$]/.test(sql[i - 1]!))) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i, i + 64))![0];
      const lower = word.toLowerCase();
      if (lower === "atomic" && /begin\s+$/i.test(sql.slice(Math.max(start, i - 32), i))) atomic = true;
      else if (lower === "end" && atomic && depth === 0) atomic = false;
      i += word.length;
    } else if (char === ";" && depth === 0 && !atomic) {
      i++;
      emit(i);
    } else {
      i++;
    }
  }
  emit(sql.length);
  return statements;
}

function skipBlockComment(sql: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < sql.length) {
    if (sql[i] === "/" && sql[i + 1] === "*") {
      depth++;
      i += 2;
    } else if (sql[i] === "*" && sql[i + 1] === "/") {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return i;
}

function skipQuoted(sql: string, from: number, quote: string): number {
  let i = from + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return i;
}

/** The `$tag$` opening at `at` (`$$` or `$name$`), or `undefined`. */
function dollarTag(sql: string, at: number): string | undefined {
  // A dollar quote cannot follow an identifier character ($1 parameters, names like a$b).
  if (at > 0 && /[A-Za-z0-9_]/.test(sql[at - 1]!)) return undefined;
  const match = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(at, at + 66));
  return match?.[0];
}
