/**
 * The choice of one relationship for an embed `target!hint` (PostgREST's `findRel`), with PostgREST's
 * errors when there is none or more than one.
 *
 * @module
 */

import { closest } from "./_schema_errors.ts";
import {
  type Catalog,
  findTable,
  relationshipsFrom,
  type RelationshipsFromOptions,
} from "../../catalog/mod.ts";
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
 * The one relationship an embed `target!hint` means, as PostgREST's `findRel` chooses it:
 *
 * - a computed relationship matches when `target` is its function's name (the hint is not used);
 * - a self-relationship (a table's foreign key to itself) gives two: `target` as the table finds the
 *   one-to-many (the children, `accounts(name)`, or `accounts!parent_account_id(name)` naming the foreign
 *   key's column), `target` as the foreign key's column the many-to-one (the parent,
 *   `parent_account_id(name)`);
 * - otherwise, without a hint, `target` is the embedded table or view, or (tables only) the foreign key's
 *   name or, many-to-one, its single key column; with a hint, `target` is the embedded table or view and
 *   the hint names the foreign key, a column of its single-column key (either side), or the junction table.
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
  const isView = (name: string) => findTable(catalog, name)?.kind === "view";
  const matches = all.filter((rel) => isMatch(rel, target, hint, isView));
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

function isMatch(
  rel: Relationship,
  target: string,
  hint: string | null,
  isView: (name: string) => boolean,
): boolean {
  if (rel.function !== null) return rel.function === target;
  const column = singleKeyColumn(rel);
  if (rel.table === rel.foreignTable) {
    // PostgREST's convention for one foreign key that gives two relationships; one-to-one and
    // many-to-many self-relationships need a computed relationship.
    if (hint !== null) {
      return rel.cardinality === "one-to-many" && target === rel.foreignTable && column?.[1] === hint;
    }
    return (rel.cardinality === "one-to-many" && target === rel.foreignTable) ||
      (rel.cardinality === "many-to-one" && column?.[0] === target);
  }
  if (hint !== null) {
    return rel.foreignTable === target &&
      (rel.constraint === hint || column?.[0] === hint || column?.[1] === hint);
  }
  if (rel.foreignTable === target) return true;
  if (rel.junction !== null || isView(rel.foreignTable)) return false;
  return rel.constraint === target || (rel.referencing === "table" && column?.[0] === target);
}

/** The key column pair of a single-column foreign key (scope columns aside), else `undefined`. */
function singleKeyColumn(rel: Relationship): readonly [string, string] | undefined {
  const [only, ...more] = rel.keyColumns;
  return more.length === 0 ? only : undefined;
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
