/**
 * The choice of one relationship for an embed `target!hint` (PostgREST's `findRel`), with PostgREST's
 * errors when there is none or more than one.
 *
 * @module
 */

import { closest } from "./_schema_errors.ts";
import { type Catalog, relationshipsFrom, type RelationshipsFromOptions } from "../../catalog/mod.ts";
import { type JsonDetails, PostgrestError } from "../../errors/mod.ts";
import type { Relationship } from "./plan.ts";

/** Options of {@linkcode findRelationship}. */
export interface FindRelationshipOptions extends RelationshipsFromOptions {
  /** The embedding table. */
  from: string;
  /** The embed as written: a table, a foreign key name, or (many-to-one) a foreign key column. */
  target: string;
  /** The `!hint`: a foreign key name, a column of the key (either side), or a junction table. */
  hint: string | null;
}

/**
 * The one relationship an embed `target!hint` means, as PostgREST chooses it: a relationship matches when
 * its embedded table is `target` (or its foreign key is named `target`, or, many-to-one, its single key
 * column is `target`), and the hint, if any, names its foreign key, a column of its single-column key
 * (referencing or referenced side), or its junction table.
 *
 * @throws {PostgrestError} `PGRST200` (400) when nothing matches; `PGRST201` (300) when several do, with the
 * candidates in `details` (a JSON array in the body, as PostgREST sends it) and the hints that pick each in `hint`.
 *
 * @example
 * ```ts
 * findRelationship(catalog, { from: "events", target: "venues", hint: "events_venue_id_fkey" }).cardinality;
 * // "many-to-one"
 * ```
 */
export function findRelationship(catalog: Catalog, options: FindRelationshipOptions): Relationship {
  const { from, target, hint } = options;
  const all = relationshipsFrom(catalog, from, options);
  const matches = all.filter((rel) =>
    matchesTarget(rel, target) && (hint === null || matchesHint(rel, hint))
  );
  const [only] = matches;
  if (only !== undefined && matches.length === 1) return only;
  if (matches.length === 0) {
    const close = hint === null ? closest(target, all.map((rel) => rel.foreignTable), 0.5) : null;
    throw new PostgrestError(
      "PGRST200",
      `Could not find a relationship between '${from}' and '${target}' in the schema cache`,
      {
        details: `Searched for a foreign key relationship between '${from}' and '${target}'${
          hint === null ? "" : ` using the hint '${hint}'`
        } in the schema '${catalog.schema}', but no matches were found.`,
        ...(close === null ? {} : { hint: `Perhaps you meant '${close}' instead of '${target}'.` }),
      },
    );
  }
  throw new PostgrestError<JsonDetails>(
    "PGRST201",
    `Could not embed because more than one relationship was found for '${from}' and '${target}'`,
    {
      details: matches.map(describe),
      hint: `Try changing '${target}' to one of the following: ${
        matches.map((rel) => `'${rel.foreignTable}!${rel.constraint}'`).join(", ")
      }. Find the desired relationship in the 'details' key.`,
    },
  );
}

function matchesTarget(rel: Relationship, target: string): boolean {
  if (rel.foreignTable === target) return true;
  if (rel.junction !== null) return false;
  if (rel.constraint === target) return true;
  const [only, ...more] = rel.keyColumns;
  return rel.referencing === "table" && more.length === 0 && only?.[0] === target;
}

function matchesHint(rel: Relationship, hint: string): boolean {
  if (rel.constraint === hint) return true;
  const [only, ...more] = rel.keyColumns;
  return only !== undefined && more.length === 0 && (only[0] === hint || only[1] === hint);
}

function describe(rel: Relationship): Record<string, string> {
  const list = (columns: readonly string[]) => `(${columns.join(", ")})`;
  const relationship = rel.junction === null
    ? `${rel.constraint} using ${rel.table}${list(rel.columns.map((p) => p[0]))} and ${rel.foreignTable}${
      list(rel.columns.map((p) => p[1]))
    }`
    : `${rel.junction.table} using ${rel.junction.originConstraint}${
      list(rel.junction.originColumns.map((p) => p[1]))
    } and ${rel.junction.targetConstraint}${list(rel.junction.targetColumns.map((p) => p[0]))}`;
  return { cardinality: rel.cardinality, embedding: `${rel.table} with ${rel.foreignTable}`, relationship };
}
