/**
 * Conditions as SQL (PostgREST's `pgFmtFilter` and `pgFmtLogicTree`): every value a bind parameter, cast in
 * SQL to the column's type from the catalog.
 *
 * @module
 */

import { levelAliases } from "./_sql_names.ts";
import type { PlannedCondition, PlannedEmbed, PlannedField, ReadNode } from "../plan/mod.ts";
import type { FtsOperator, Operation, QuantifiableOperator, SimpleOperator } from "../parse/mod.ts";
import { fieldSql } from "./_sql_field.ts";
import { bind, type Fragment, join, sql, typeName } from "./sql_fragment.ts";
import { joinSql } from "./_sql_join.ts";

/** Options of {@linkcode conditionSql}. */
export interface ConditionSqlOptions {
  /** The schema of the tables. */
  schema: string;
  /** The alias of the level's table. */
  alias: Fragment;
}

const OPERATORS: Readonly<Record<QuantifiableOperator | SimpleOperator, Fragment>> = {
  eq: sql`=`,
  gt: sql`>`,
  gte: sql`>=`,
  lt: sql`<`,
  lte: sql`<=`,
  like: sql`LIKE`,
  ilike: sql`ILIKE`,
  match: sql`~`,
  imatch: sql`~*`,
  neq: sql`<>`,
  cs: sql`@>`,
  cd: sql`<@`,
  ov: sql`&&`,
  sl: sql`<<`,
  sr: sql`>>`,
  nxr: sql`&<`,
  nxl: sql`&>`,
  adj: sql`-|-`,
};

const TEXTUAL = new Set(["like", "ilike", "match", "imatch"]);

const FTS: Readonly<Record<FtsOperator, Fragment>> = {
  fts: sql`to_tsquery`,
  plfts: sql`plainto_tsquery`,
  phfts: sql`phraseto_tsquery`,
  wfts: sql`websearch_to_tsquery`,
};

const IS: Readonly<Record<Extract<Operation, { kind: "is" }>["value"], Fragment>> = {
  null: sql`IS NULL`,
  not_null: sql`IS NOT NULL`,
  true: sql`IS TRUE`,
  false: sql`IS FALSE`,
  unknown: sql`IS UNKNOWN`,
};

/**
 * A condition as SQL. Values are bound as text and cast to the field's type (`CAST($1::text AS uuid)`),
 * so PostgreSQL parses them: a value that cannot be of the type is its error `22P02` (400). `like`,
 * `ilike`, `match`, `imatch` compare text; `in` and `(any)`/`(all)` bind one array literal
 * (`= ANY(CAST($1::text AS uuid[]))`, PostgREST's form); `is` takes a keyword from a fixed list; full-text
 * search applies `to_tsvector` to a column that is not a `tsvector`; an embed condition is
 * `[NOT] EXISTS (…)` over the embedded level with its own conditions.
 *
 * @example
 * ```ts
 * render(conditionSql(emailIsAcme, { schema: "public", alias: ident("pgrst_t0") }));
 * // { text: '"pgrst_t0"."email" ILIKE $1::text', params: ["%@acme.test"] }
 * ```
 */
export function conditionSql(condition: PlannedCondition, options: ConditionSqlOptions): Fragment {
  switch (condition.kind) {
    case "logic": {
      const children = condition.children.map((child) => conditionSql(child, options));
      const tree = children.length === 0
        ? condition.operator === "and" ? sql`TRUE` : sql`FALSE`
        : sql`(${join(children, condition.operator === "and" ? sql` AND ` : sql` OR `)})`;
      return condition.negated ? sql`NOT ${tree}` : tree;
    }
    case "embed": {
      const exists = existsSql(condition.embed, { schema: options.schema, parent: options.alias });
      return condition.isNull ? sql`NOT ${exists}` : exists;
    }
    case "filter": {
      const filter = filterSql(condition.field, condition.operation, options.alias);
      return condition.negated ? sql`NOT (${filter})` : filter;
    }
  }
}

function filterSql(field: PlannedField, operation: Operation, alias: Fragment): Fragment {
  const column = fieldSql(field, alias);
  switch (operation.kind) {
    case "compare": {
      const type = TEXTUAL.has(operation.operator) ? "text" : field.type;
      const operator = OPERATORS[operation.operator];
      if (operation.quantifier === null) return sql`${column} ${operator} ${valueSql(operation.value, type)}`;
      const array = valueSql(operation.value, `${type}[]`);
      return operation.quantifier === "any"
        ? sql`${column} ${operator} ANY(${array})`
        : sql`${column} ${operator} ALL(${array})`;
    }
    case "in":
      return sql`${column} = ANY(${valueSql(arrayLiteral(operation.values), `${field.type}[]`)})`;
    case "is":
      return sql`${column} ${IS[operation.value]}`;
    case "isdistinct":
      return sql`${column} IS DISTINCT FROM ${valueSql(operation.value, field.type)}`;
    case "fts": {
      const config = operation.config === null ? null : sql`CAST(${bind(operation.config)} AS regconfig)`;
      const vector = field.type === "tsvector"
        ? column
        : config === null
        ? sql`to_tsvector(${column})`
        : sql`to_tsvector(${config}, ${column})`;
      const query = config === null
        ? sql`${FTS[operation.operator]}(${bind(operation.value)})`
        : sql`${FTS[operation.operator]}(${config}, ${bind(operation.value)})`;
      return sql`${vector} @@ ${query}`;
    }
  }
}

/** A value bound as text and cast to `type` (no cast needed for text). */
function valueSql(value: string, type: string): Fragment {
  return type === "text" ? bind(value) : sql`CAST(${bind(value)} AS ${typeName(type)})`;
}

/** PostgREST's `pgBuildArrayLiteral`: every element double-quoted, `\` and `"` escaped. */
function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(",")}}`;
}

/** Options of {@linkcode existsSql}. */
export interface ExistsSqlOptions {
  /** The schema of the tables. */
  schema: string;
  /** The alias of the parent level's table. */
  parent: Fragment;
}

/**
 * `EXISTS (SELECT 1 FROM <embedded table> WHERE <join> AND <its restrictions>)`: whether the parent row has
 * an embedded row that passes the embedded level's conditions (limits and offsets do not apply).
 */
export function existsSql(embed: PlannedEmbed, options: ExistsSqlOptions): Fragment {
  const aliases = levelAliases(embed.node.id);
  const join = joinSql(embed.relationship, {
    schema: options.schema,
    parent: options.parent,
    alias: aliases.table,
    junction: aliases.junction,
  });
  const conditions = [
    ...join.conditions,
    ...restrictionsSql(embed.node, { schema: options.schema, alias: aliases.table }),
  ];
  return sql`EXISTS (SELECT 1 FROM ${join.from}${whereSql(conditions)})`;
}

/**
 * What keeps a row of `node`'s table: its conditions, and an `EXISTS` for each `!inner` embed (which
 * drops rows without an embedded row). The count query and `EXISTS` use these; the main query joins inner
 * embeds instead.
 */
export function restrictionsSql(node: ReadNode, options: ConditionSqlOptions): Fragment[] {
  const conditions = node.where.map((condition) => conditionSql(condition, options));
  for (const item of node.select) {
    if ((item.kind === "embed" || item.kind === "spread") && item.embed.join === "inner") {
      conditions.push(existsSql(item.embed, { schema: options.schema, parent: options.alias }));
    }
  }
  return conditions;
}

/** ` WHERE a AND b`, or nothing. */
export function whereSql(conditions: readonly Fragment[]): Fragment {
  return conditions.length === 0 ? sql`` : sql` WHERE ${join(conditions, sql` AND `)}`;
}
