/**
 * The planner's schema-cache errors, with PostgREST's messages (`PGRST204`, `PGRST205`) and its fuzzy
 * "Perhaps you meant" hints.
 *
 * @module
 */

import type { Catalog } from "../../catalog/mod.ts";
import { PostgrestError } from "../../errors/mod.ts";

/** `PGRST205` (404): `Could not find the table 'public.x' in the schema cache`, with a close name as hint. */
export function tableNotFound(catalog: Catalog, name: string): PostgrestError {
  const close = closest(name, catalog.tables.map((table) => table.name), 0.75);
  return new PostgrestError(
    "PGRST205",
    `Could not find the table '${catalog.schema}.${name}' in the schema cache`,
    close === null ? {} : { hint: `Perhaps you meant the table '${catalog.schema}.${close}'` },
  );
}

/** `PGRST204` (400): `Could not find the 'x' column of 'contacts' in the schema cache`. */
export function columnNotFound(table: string, column: string): PostgrestError {
  return new PostgrestError(
    "PGRST204",
    `Could not find the '${column}' column of '${table}' in the schema cache`,
  );
}

/**
 * `42703` (400): `column contacts.x does not exist`, PostgREST's answer (PostgreSQL's error, passed through)
 * for an unknown column in `select`, a filter, `order`, or inside an aggregate or cast. `PGRST204` is its
 * answer only for `columns=` and the keys of a write's body.
 */
export function undefinedColumn(table: string, column: string): PostgrestError {
  return new PostgrestError("42703", `column ${table}.${column} does not exist`, { status: 400 });
}

/**
 * The candidate most similar to `name` with a similarity of at least `min` (0–1) and below 1 (an exact
 * match needs no hint), or `null`. Similarity is 1 − Levenshtein distance / the longer length, compared
 * case-insensitively.
 */
export function closest(name: string, candidates: readonly string[], min: number): string | null {
  let best: string | null = null;
  let bestScore = min;
  for (const candidate of new Set(candidates)) {
    const score = similarity(name.toLowerCase(), candidate.toLowerCase());
    if (score >= bestScore && score < 1) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

function similarity(a: string, b: string): number {
  const length = Math.max(a.length, b.length);
  if (length === 0) return 1;
  if (length > 200) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return 1 - (previous[b.length] ?? length) / length;
}
