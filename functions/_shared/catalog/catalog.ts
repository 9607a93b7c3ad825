/**
 * The catalog snapshot the planner checks requests against: PostgREST's schema cache, reduced to what the
 * gateway plans with. Plain JSON-serialisable data, so it can be cached, compared and saved to `testdata/`;
 * {@linkcode loadCatalog} reads it from `pg_catalog`, everything else here is pure.
 *
 * @module
 */

/** One column of a table or view. */
export interface CatalogColumn {
  /** The column name. */
  readonly name: string;
  /** `format_type(atttypid, atttypmod)`: `numeric(16,2)`, `text[]`, `timestamp with time zone`. */
  readonly type: string;
  /**
   * `format_type(atttypid, null)`: the type without its modifier (`numeric`), the type filter values are
   * cast to, so `amount=gt.10.005` is not rounded to the column's scale before comparing. `character(n)`
   * and `bit(n)` become `bpchar` and `varbit` (a bare `character` would mean `character(1)` and truncate).
   */
  readonly valueType: string;
  /** Whether the column accepts `null` (no `NOT NULL`). */
  readonly nullable: boolean;
  /** Whether an insert that omits the column gets a value: a default, an identity or a generated column. */
  readonly hasDefault: boolean;
  /**
   * The default expression, `pg_get_expr(adbin, adrelid)` read with an empty `search_path` (so every name is
   * qualified): `gen_random_uuid()`, `private.request_tenant_id()`. `null` for none and for generated
   * columns. Only `Prefer: missing=default` uses it, inlined as PostgREST does (catalog text, never
   * request input).
   */
  readonly default: string | null;
  /** A stored generated column (`generated always as (…) stored`): never written. */
  readonly generated: boolean;
  /** `always` / `by default` for identity columns, else `null`. */
  readonly identity: "always" | "by_default" | null;
  /** Whether the column is part of the primary key. */
  readonly primaryKey: boolean;
}

/** A unique key: the primary key, a unique constraint, or a unique index without predicate or expression. */
export interface CatalogUniqueKey {
  /** The constraint or index name. */
  readonly name: string;
  /** The columns, in key order. */
  readonly columns: readonly string[];
}

/** A foreign key of a table, to a table or view of the same schema. */
export interface CatalogForeignKey {
  /** The constraint name: hints use it (`venues!events_venue_id_fkey`). */
  readonly name: string;
  /** The referencing columns of this table, in constraint order (composite keys have several). */
  readonly columns: readonly string[];
  /** The referenced table. */
  readonly referencedTable: string;
  /** The referenced columns, pairwise with `columns`. */
  readonly referencedColumns: readonly string[];
}

/** A table, view, materialized view, foreign table or partitioned table. */
export interface CatalogTable {
  /** The relation name. */
  readonly name: string;
  /** What kind of relation it is. */
  readonly kind: "table" | "view" | "materialized_view" | "foreign_table" | "partitioned_table";
  /** The columns, in `attnum` order. */
  readonly columns: readonly CatalogColumn[];
  /** The primary key columns in key order; empty without one (and for views). */
  readonly primaryKey: readonly string[];
  /** Unique keys other than the primary key (for `on_conflict` and one-to-one detection). */
  readonly uniqueKeys: readonly CatalogUniqueKey[];
  /** Foreign keys from this table. */
  readonly foreignKeys: readonly CatalogForeignKey[];
  /**
   * Views only: which table column each plain column of the view shows (PostgREST infers relationships
   * through views from these). Columns computed from expressions are not listed.
   */
  readonly sources?: readonly CatalogColumnSource[];
}

/** A view column that shows a table's column unchanged. */
export interface CatalogColumnSource {
  /** The view's column. */
  readonly column: string;
  /** The table (or view) of the schema it comes from. */
  readonly table: string;
  /** The column of that table. */
  readonly sourceColumn: string;
}

/** An input parameter of a function (`in`, `inout` or `variadic`). */
export interface CatalogParameter {
  /** The parameter name; `""` for an unnamed one. */
  readonly name: string;
  /** `format_type(type, null)`: `integer`, `text[]`, `jsonb`, `public.mood`. */
  readonly type: string;
  /** Whether it has a default, so a call may leave it out. */
  readonly hasDefault: boolean;
  /** A `variadic` parameter: called as `VARIADIC name := array`. */
  readonly variadic: boolean;
}

/** An output column of a function returning rows (`returns table (…)`, `out` parameters or a composite). */
export interface CatalogFunctionColumn {
  /** The column name. */
  readonly name: string;
  /** `format_type(type, null)`. */
  readonly type: string;
}

/** What a function returns. */
export interface CatalogFunctionReturns {
  /** `returns setof …` / `returns table (…)`: a set of rows or values. */
  readonly setOf: boolean;
  /**
   * `scalar` (a base, domain, enum, range or array type), `void`, `composite` (the row type of a table or
   * view, or a composite type) or `record` (`returns table (…)` or `out` parameters).
   */
  readonly kind: "scalar" | "void" | "composite" | "record";
  /** `format_type(prorettype, null)`: `integer`, `public.contacts`, `record`. */
  readonly type: string;
  /** For `composite`: the table or view of the schema whose row type it is (embedding works from it), else `null`. */
  readonly table: string | null;
  /** For `composite` and `record`: the columns of a result row; empty otherwise. */
  readonly columns: readonly CatalogFunctionColumn[];
  /**
   * `prorows`, the rows the function declares it returns (`rows 1`): a set-returning function declaring one
   * row is embedded as one object when it is a computed relationship, as PostgREST does.
   */
  readonly rows: number;
}

/**
 * A function of the schema, callable as `/rest/v1/rpc/<name>` (PostgREST's `Routine`). Overloads are separate
 * entries with the same name. Procedures, aggregates, window functions and functions of pseudo-types (triggers,
 * `internal`, `record` without columns) are left out.
 */
export interface CatalogFunction {
  /** The function name. */
  readonly name: string;
  /** The input parameters, in order. */
  readonly parameters: readonly CatalogParameter[];
  /** The result. */
  readonly returns: CatalogFunctionReturns;
  /** `volatile` functions run read-write on POST; `stable` and `immutable` ones always read-only. */
  readonly volatility: "volatile" | "stable" | "immutable";
  /** `security definer`: runs as its owner, so it is served only when granted to `authenticated`. */
  readonly securityDefiner: boolean;
  /** Whether EXECUTE is granted to the `authenticated` role by name (not only through `public`). */
  readonly grantedToAuthenticated: boolean;
}

/** The catalog snapshot of one schema of a data source. */
export interface Catalog {
  /** The schema the snapshot describes (`public`). */
  readonly schema: string;
  /**
   * The schema version: `private.schema_version()` when the database has it (the tenant schema does), else
   * `sha256:` and a digest of the snapshot. Cache keys and health checks use it.
   */
  readonly version: string;
  /** Tables and views, by name. */
  readonly tables: readonly CatalogTable[];
  /** Functions, by name. */
  readonly functions: readonly CatalogFunction[];
}

/**
 * The table or view `name` of the catalog, or `undefined`.
 *
 * @example
 * ```ts
 * findTable(catalog, "contacts")?.primaryKey; // ["id"]
 * ```
 */
export function findTable(catalog: Catalog, name: string): CatalogTable | undefined {
  return catalog.tables.find((table) => table.name === name);
}

/**
 * The column `name` of `table`, or `undefined`.
 *
 * @example
 * ```ts
 * findColumn(table, "email")?.valueType; // "text"
 * ```
 */
export function findColumn(table: CatalogTable, name: string): CatalogColumn | undefined {
  return table.columns.find((column) => column.name === name);
}

/**
 * A computed field of a table: a function of the schema taking the table's row as its only parameter and
 * returning one value (`weighted_amount(opportunities) returns numeric`), selected, filtered and ordered
 * like a column (`opportunities?select=name,weighted_amount`), never part of `*`.
 */
export interface ComputedField {
  /** The function, named like a column. */
  readonly name: string;
  /** `format_type` of the result: filter values are cast to it. */
  readonly type: string;
}

/**
 * The computed fields of `table` (PostgREST's computed fields): functions with one parameter of the table's
 * row type, returning a scalar or composite value, not a set.
 *
 * @example
 * ```ts
 * computedFields(catalog, "opportunities"); // [{ name: "weighted_amount", type: "numeric" }]
 * ```
 */
export function computedFields(catalog: Catalog, table: string): ComputedField[] {
  return catalog.functions
    .filter((fn) =>
      takesRowOf(fn, catalog.schema, table) && !fn.returns.setOf &&
      (fn.returns.kind === "scalar" || fn.returns.kind === "composite")
    )
    .map((fn) => ({ name: fn.name, type: fn.returns.type }));
}

/**
 * Whether `fn` has exactly one parameter and it is the row type of `schema.table`: how PostgreSQL's
 * `format_type` names it, quoted or not (quoting depends on keywords, so both spellings are accepted).
 */
export function takesRowOf(fn: CatalogFunction, schema: string, table: string): boolean {
  const [only, ...more] = fn.parameters;
  if (only === undefined || more.length > 0) return false;
  const spellings = (name: string) => [name, `"${name.replaceAll('"', '""')}"`];
  return spellings(schema).some((s) => spellings(table).some((t) => only.type === `${s}.${t}`));
}

/** How an embedded resource relates to the resource that embeds it. */
export type Cardinality = "many-to-one" | "one-to-many" | "one-to-one" | "many-to-many";

/** The junction table of a many-to-many relationship. */
export interface Junction {
  /** The junction table. */
  readonly table: string;
  /** Its foreign key to the origin table. */
  readonly originConstraint: string;
  /** Its foreign key to the target table. */
  readonly targetConstraint: string;
  /** `[origin column, junction column]` pairs. */
  readonly originColumns: readonly (readonly [string, string])[];
  /** `[junction column, target column]` pairs. */
  readonly targetColumns: readonly (readonly [string, string])[];
}

/**
 * A relationship between two tables, derived from one foreign key (or two, through a junction table), seen
 * from the `table` that embeds `foreignTable`.
 */
export interface Relationship {
  /** The embedding table. */
  readonly table: string;
  /** The embedded table. */
  readonly foreignTable: string;
  /** How many rows of `foreignTable` one row of `table` relates to. */
  readonly cardinality: Cardinality;
  /** The foreign key's name; for many-to-many the junction table's name. */
  readonly constraint: string;
  /**
   * Join pairs `[table column, foreignTable column]`, every column of the foreign key, including the
   * scope columns both sides share (`tenant_id`): the join uses them all (correct, and it matches the
   * composite indexes). Empty for many-to-many (see `junction`).
   */
  readonly columns: readonly (readonly [string, string])[];
  /**
   * The pairs without the shared scope columns: what the relationship is about (`account_id → id`),
   * matched by column hints and shown in errors.
   */
  readonly keyColumns: readonly (readonly [string, string])[];
  /** Which side holds the foreign key (`null` for many-to-many). */
  readonly referencing: "table" | "foreignTable" | null;
  /** The junction of a many-to-many relationship, else `null`. */
  readonly junction: Junction | null;
  /**
   * A computed relationship: the function of the schema that returns the related rows from the embedding
   * row (`subsidiaries(accounts) returns setof accounts`); `columns` and `keyColumns` are empty. Else `null`.
   */
  readonly function: string | null;
}
