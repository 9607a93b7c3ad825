/**
 * The aliases the sql stage gives each level of a plan, after its node id: internal names, never request
 * text.
 *
 * @module
 */

import { type Fragment, ident } from "./sql_fragment.ts";

/** The aliases of one level. */
export interface LevelAliases {
  /** The level's table: `"pgrst_t1"`. */
  readonly table: Fragment;
  /** The lateral subquery embedding the level in its parent: `"pgrst_e1"`. */
  readonly lateral: Fragment;
  /** The level's rows as a record, for `json_agg`: `"pgrst_r1"`. */
  readonly row: Fragment;
  /** The junction table of a many-to-many level: `"pgrst_j1"`. */
  readonly junction: Fragment;
}

/** The aliases of the level whose node id is `id`. */
export function levelAliases(id: number): LevelAliases {
  return {
    table: ident(`pgrst_t${id}`),
    lateral: ident(`pgrst_e${id}`),
    row: ident(`pgrst_r${id}`),
    junction: ident(`pgrst_j${id}`),
  };
}
