/**
 * The plan model: what the plan stage makes of an {@linkcode ApiRequest} after checking it against a
 * {@linkcode Catalog} snapshot, and what the sql stage renders (PostgREST's `ReadPlan` / `MutatePlan`).
 *
 * Every table, column and relationship in a plan exists in the catalog; every type name in a plan comes
 * from the catalog (`format_type`) or from a select cast that matched {@linkcode CAST_TYPE_PATTERN}. Values
 * are still the client's strings: the sql stage binds each one as a parameter.
 *
 * Plans are plain data (no classes, no functions), so they compare with `deepEqual` and serialise.
 *
 * @module
 */

import type { Relationship } from "../../catalog/mod.ts";
import type { AggregateFunction, JsonPathStep, Operation } from "../parse/mod.ts";

export type { Cardinality, Junction, Relationship } from "../../catalog/mod.ts";

/** A column reference, possibly followed by a JSON path, typed from the catalog. */
export interface PlannedField {
  /** The column, or the computed field's function. */
  readonly column: string;
  /**
   * A computed field: the schema of its function, called with the level's row (`"public".
   * "weighted_amount"("pgrst_t0")`); `null` for a column.
   */
  readonly computedIn: string | null;
  /** The JSON path (`->` / `->>` steps); keys and indexes become bind parameters. */
  readonly jsonPath: readonly JsonPathStep[];
  /** The column isn't `json`/`jsonb`: a JSON path applies to `to_jsonb(column)`. */
  readonly toJson: boolean;
  /**
   * The SQL type of the expression (catalog `valueType` of the column; after a path `jsonb`, `json` or
   * `text`): filter values are cast to it.
   */
  readonly type: string;
}

/** One output of a select list. */
export type PlannedSelect =
  | {
    /** `*`: every column of the table. */
    readonly kind: "star";
    /** The columns, from the catalog (used when the level groups by them). */
    readonly columns: readonly string[];
  }
  | {
    /** A column, JSON path, cast and/or aggregate. */
    readonly kind: "field";
    readonly field: PlannedField;
    /** The output key. */
    readonly name: string;
    /** A cast of the value (checked against `CAST_TYPE_PATTERN`). */
    readonly cast: string | null;
    readonly aggregate: AggregateFunction | null;
    /** A cast of the aggregate's result. */
    readonly aggregateCast: string | null;
  }
  | {
    /** `count()` or a bare `count`: `count(*)` over the level. */
    readonly kind: "count";
    readonly name: string;
    readonly cast: string | null;
  }
  | {
    /** An embedded resource: an object (to-one) or an array (to-many) under `name`. */
    readonly kind: "embed";
    readonly name: string;
    readonly embed: PlannedEmbed;
  }
  | {
    /** A spread embedded resource: its outputs join this level's (to-many ones as arrays). */
    readonly kind: "spread";
    readonly embed: PlannedEmbed;
  };

/** An embedded resource and how it joins its parent. */
export interface PlannedEmbed {
  /** The relationship from the parent's table to the embedded table. */
  readonly relationship: Relationship;
  /** `inner` keeps only parent rows with at least one (filtered) embedded row. */
  readonly join: "inner" | "left";
  /** Whether it embeds at most one row (many-to-one, one-to-one): an object or `null`, else an array. */
  readonly toOne: boolean;
  /** The embedded level. */
  readonly node: ReadNode;
}

/** A condition of a `where` clause. */
export type PlannedCondition =
  | {
    /** A filter on a column: `email=ilike.*@acme.test`. */
    readonly kind: "filter";
    readonly field: PlannedField;
    readonly negated: boolean;
    readonly operation: Operation;
  }
  | {
    /** `contacts=is.null` / `contacts=not.is.null`: whether an embedded resource has rows. */
    readonly kind: "embed";
    readonly embed: PlannedEmbed;
    /** `true` for "has no (matching) row". */
    readonly isNull: boolean;
  }
  | {
    /** `or=(…)`, `and=(…)`, `not.or=(…)`. */
    readonly kind: "logic";
    readonly operator: "and" | "or";
    readonly negated: boolean;
    readonly children: readonly PlannedCondition[];
  };

/** One term of an `order` clause. */
export interface PlannedOrder {
  /** What to order by. */
  readonly target:
    | { readonly kind: "field"; readonly field: PlannedField }
    | {
      /** A column of a to-one embedded resource (`order=account(name)`). */
      readonly kind: "relation";
      readonly relationship: Relationship;
      readonly field: PlannedField;
    };
  /** `null`: ascending. */
  readonly direction: "asc" | "desc" | null;
  /** `null`: PostgreSQL's default. */
  readonly nulls: "first" | "last" | null;
}

/** Rows to skip and rows at most (`null`: no limit). */
export interface PlannedRange {
  readonly offset: number;
  readonly limit: number | null;
}

/** One level of a read: a table, its outputs, conditions, order and range. */
export interface ReadNode {
  /** Unique in the plan; the sql stage names the level's aliases after it. */
  readonly id: number;
  /** The table or view. */
  readonly table: string;
  /** The outputs, in request order. */
  readonly select: readonly PlannedSelect[];
  /** Conditions, all of which must hold. */
  readonly where: readonly PlannedCondition[];
  readonly order: readonly PlannedOrder[];
  readonly range: PlannedRange;
}

/** What the response carries, shared by every plan. */
export interface PlanOutput {
  /**
   * `json` (an array), `object` (`Accept: application/vnd.pgrst.object+json`: exactly one row, else 406
   * `PGRST116`, and a write is rolled back), `csv`.
   */
  readonly media: "json" | "object" | "csv";
  /** `nulls=stripped`. */
  readonly stripNulls: boolean;
  /** `Prefer: count=`. */
  readonly count: "exact" | "planned" | "estimated" | null;
}

/** A GET or HEAD of a table or view. */
export interface ReadPlan extends PlanOutput {
  readonly kind: "read";
  /** The schema of every table of the plan. */
  readonly schema: string;
  /** HEAD: the body is not built. */
  readonly head: boolean;
  /** The root level; its range is the requested one, intersected with `Range` and capped by `maxRows`. */
  readonly root: ReadNode;
}

/** A column a write takes from the body. */
export interface PlannedColumn {
  readonly name: string;
  /** The catalog type with its modifier, for `json_to_recordset(…) as (name type)`. */
  readonly type: string;
  /** With `missing=default`: the default expression for a key an object lacks (catalog text), else `null`. */
  readonly default: string | null;
}

/** The JSON body of a write, bound as one parameter. */
export interface PlannedBody {
  readonly kind: "object" | "array";
  /** The body's text, as received. */
  readonly raw: string;
}

/** What a write returns: the representation (`return=representation`) or only a count. */
export interface MutationOutput extends PlanOutput {
  readonly schema: string;
  readonly table: string;
  /** With `return=representation`: the projection of the written rows (embeds allowed), else `null`. */
  readonly returning: ReadNode | null;
  /** `Prefer: max-affected=` with `handling=strict`: the executor fails with `PGRST124` beyond it. */
  readonly maxAffected: number | null;
}

/** A POST: insert, or upsert with `resolution=`. */
export interface InsertPlan extends MutationOutput {
  readonly kind: "insert";
  readonly columns: readonly PlannedColumn[];
  readonly body: PlannedBody;
  /** Upsert: the conflict target (a primary or unique key) and what to do on conflict. */
  readonly onConflict: {
    readonly columns: readonly string[];
    readonly resolution: "merge-duplicates" | "ignore-duplicates";
  } | null;
}

/** A PATCH. Without conditions it updates every row RLS lets it see, as in PostgREST. */
export interface UpdatePlan extends MutationOutput {
  readonly kind: "update";
  readonly columns: readonly PlannedColumn[];
  readonly body: PlannedBody;
  readonly where: readonly PlannedCondition[];
  readonly order: readonly PlannedOrder[];
  /** `limit`/`offset` of the query string: only the first rows (by `order`) are updated. */
  readonly range: PlannedRange;
}

/** A DELETE. Without conditions it deletes every row RLS lets it see, as in PostgREST. */
export interface DeletePlan extends MutationOutput {
  readonly kind: "delete";
  readonly where: readonly PlannedCondition[];
  readonly order: readonly PlannedOrder[];
  readonly range: PlannedRange;
}

/** How a function call passes its arguments. */
export type PlannedArguments =
  | {
    /** Named arguments from a JSON object (the body, or the query string of a GET): `fn(a := …, b := …)`. */
    readonly kind: "named";
    /** The parameters given, in the function's order; the others take their defaults. */
    readonly parameters: readonly {
      readonly name: string;
      readonly type: string;
      readonly variadic: boolean;
    }[];
    /** The JSON object, bound as one parameter and read with `json_to_record`. */
    readonly raw: string;
  }
  | {
    /** The whole body as the one `json`/`jsonb` argument (an unnamed one, or `Prefer: params=single-object`). */
    readonly kind: "body";
    readonly type: "json" | "jsonb";
    readonly raw: string;
  };

/**
 * A call of a function (`/rpc/<name>`, PostgREST's `CallPlan`). `result` says what the body holds: `void`
 * (204, no body), `scalar` (the value as JSON), `scalars` (a JSON array of values), `row` (one object, from a
 * function returning one composite) or `rows` (an array, like a read: `root` applies select, filters, order,
 * range and embeds to the returned rows).
 */
export interface CallPlan extends PlanOutput {
  readonly kind: "call";
  /** The function's schema. */
  readonly schema: string;
  /** The function's name. */
  readonly function: string;
  readonly arguments: PlannedArguments;
  readonly result: "void" | "scalar" | "scalars" | "row" | "rows";
  /** GET and HEAD, and functions that are `stable` or `immutable`: the transaction runs read-only. */
  readonly readOnly: boolean;
  /** HEAD: the body is not built. */
  readonly head: boolean;
  /** For `row` and `rows`: the read over the returned rows (its `table` names the row type), else `null`. */
  readonly root: ReadNode | null;
  /** `Prefer: max-affected=` with `handling=strict` (set results only): more rows fail with `PGRST124`. */
  readonly maxAffected: number | null;
}

/** A planned request. */
export type Plan = ReadPlan | InsertPlan | UpdatePlan | DeletePlan | CallPlan;

/** A write plan. */
export type MutatePlan = InsertPlan | UpdatePlan | DeletePlan;
