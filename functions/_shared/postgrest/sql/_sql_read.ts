/**
 * One level of a read as a SELECT, its embedded levels as lateral subqueries (PostgREST's
 * `readPlanToQuery` and `getSelectsJoins`).
 *
 * @module
 */

import { levelAliases } from "./_sql_names.ts";
import type { PlannedEmbed, PlannedOrder, PlannedSelect, ReadNode, Relationship } from "../plan/mod.ts";
import type { AggregateFunction } from "../parse/mod.ts";
import { conditionSql, whereSql } from "./_sql_condition.ts";
import { fieldSql } from "./_sql_field.ts";
import {
  bindInteger,
  castType,
  type Fragment,
  ident,
  integerLiteral,
  join,
  qualified,
  sql,
} from "./sql_fragment.ts";
import { joinSql } from "./_sql_join.ts";

/** Options of {@linkcode readNodeSql}. */
export interface ReadNodeSqlOptions {
  /** The schema of the tables. */
  schema: string;
  /** Root only: read the rows from this relation (`"pgrst_source"`, a write's returned rows) instead of the table. */
  source?: Fragment;
  /** Embedded levels: the parent level's table alias and the relationship to it. */
  parent?: { alias: Fragment; relationship: Relationship };
  /** Outputs before the node's own (the `ctid` a limited write selects). */
  extraOutputs?: readonly Fragment[];
}

const AGGREGATES: Readonly<Record<AggregateFunction, Fragment>> = {
  avg: sql`avg`,
  count: sql`count`,
  max: sql`max`,
  min: sql`min`,
  sum: sql`sum`,
};

/**
 * The SELECT of one level: its outputs (`AS "name"`, the request's output names as quoted identifiers),
 * its embedded levels as `LEFT`/`INNER JOIN LATERAL (…)`, its conditions, `GROUP BY` when it aggregates,
 * `ORDER BY`, `LIMIT`/`OFFSET`.
 *
 * - to-one embed: `JOIN LATERAL (<child>) AS "pgrst_e1" ON TRUE`, output `row_to_json("pgrst_e1".*)` (null
 *   without a row; a spread outputs `"pgrst_e1".*`);
 * - to-many embed: `JOIN LATERAL (SELECT json_agg("pgrst_r1") AS "pgrst_agg" FROM (<child>) AS "pgrst_r1")`,
 *   output `coalesce("pgrst_e1"."pgrst_agg", '[]')`, and `!inner` joins `ON "pgrst_agg" IS NOT NULL`; a
 *   spread aggregates each output of the child into an array;
 * - an embed with an empty select list is joined (for `!inner`) but not output.
 *
 * @example
 * ```ts
 * render(readNodeSql(plan.root, { schema: "public" })).text;
 * // SELECT "pgrst_t0"."id" AS "id" FROM "public"."contacts" AS "pgrst_t0" LIMIT $1::int8
 * ```
 */
export function readNodeSql(node: ReadNode, options: ReadNodeSqlOptions): Fragment {
  const aliases = levelAliases(node.id);
  const { schema } = options;
  const outputs: Fragment[] = [...options.extraOutputs ?? []];
  const laterals: Fragment[] = [];
  const groupBy: Fragment[] = [];
  const aggregated = isAggregating(node) ||
    node.select.some((item) => item.kind === "spread" && isAggregating(item.embed.node));
  for (const item of node.select) {
    switch (item.kind) {
      case "star":
        outputs.push(sql`${aliases.table}.*`);
        if (aggregated) groupBy.push(...item.columns.map((column) => sql`${aliases.table}.${ident(column)}`));
        break;
      case "field": {
        let value = fieldSql(item.field, aliases.table);
        if (item.cast !== null) value = sql`CAST(${value} AS ${castType(item.cast)})`;
        if (item.aggregate === null) {
          groupBy.push(value);
        } else {
          value = sql`${AGGREGATES[item.aggregate]}(${value})`;
          if (item.aggregateCast !== null) value = sql`CAST(${value} AS ${castType(item.aggregateCast)})`;
        }
        outputs.push(sql`${value} AS ${ident(item.name)}`);
        break;
      }
      case "count": {
        const value = item.cast === null ? sql`count(*)` : sql`CAST(count(*) AS ${castType(item.cast)})`;
        outputs.push(sql`${value} AS ${ident(item.name)}`);
        break;
      }
      case "embed":
      case "spread": {
        const lateral = item.kind === "spread" && isAggregating(item.embed.node)
          ? hoistedSpreadSql(item, { schema, parent: aliases.table })
          : lateralSql(item, { schema, parent: aliases.table, grouped: aggregated });
        laterals.push(lateral.join);
        outputs.push(...lateral.outputs);
        groupBy.push(...lateral.groupBy);
        break;
      }
    }
  }
  let from = sql`${options.source ?? qualified(schema, node.table)} AS ${aliases.table}`;
  const conditions: Fragment[] = [];
  if (options.parent !== undefined) {
    const join = joinSql(options.parent.relationship, {
      schema,
      parent: options.parent.alias,
      alias: aliases.table,
      junction: aliases.junction,
    });
    from = join.from;
    conditions.push(...join.conditions);
  }
  conditions.push(
    ...node.where.map((condition) => conditionSql(condition, { schema, alias: aliases.table })),
  );
  const group = aggregated && groupBy.length > 0 ? sql` GROUP BY ${join(groupBy, sql`, `)}` : sql``;
  const list = outputs.length === 0 ? sql`` : sql` ${join(outputs, sql`, `)}`;
  return sql`SELECT${list} FROM ${from}${join(laterals, sql``)}${whereSql(conditions)}${group}${
    orderSql(node, schema)
  }${rangeSql(node)}`;
}

/** Whether a level computes aggregates (`count()`, `sum()`…) over its rows. */
function isAggregating(node: ReadNode): boolean {
  return node.select.some((item) =>
    item.kind === "count" || (item.kind === "field" && item.aggregate !== null)
  );
}

interface LateralSql {
  join: Fragment;
  outputs: Fragment[];
  /** What the parent groups by when it aggregates: the embed's outputs (as `jsonb`, which has equality). */
  groupBy: Fragment[];
}

function lateralSql(
  item: PlannedSelect & { kind: "embed" | "spread" },
  options: { schema: string; parent: Fragment; grouped: boolean },
): LateralSql {
  const { embed } = item;
  const aliases = levelAliases(embed.node.id);
  const child = readNodeSql(embed.node, {
    schema: options.schema,
    parent: { alias: options.parent, relationship: embed.relationship },
  });
  const kind = embed.join === "inner" ? sql`INNER` : sql`LEFT`;
  const visible = embed.node.select.length > 0;
  // On an aggregating level an embed is a grouping column (PostgREST's "embedded resources as grouping
  // columns"): its JSON becomes jsonb, which PostgreSQL can compare.
  const grouping = (value: Fragment) => (options.grouped ? sql`(${value})::jsonb` : value);
  if (embed.toOne) {
    const lateral = sql` ${kind} JOIN LATERAL (${child}) AS ${aliases.lateral} ON TRUE`;
    if (!visible) return { join: lateral, outputs: [], groupBy: [] };
    if (item.kind === "embed") {
      const value = grouping(sql`row_to_json(${aliases.lateral}.*)`);
      return {
        join: lateral,
        outputs: [sql`${value} AS ${ident(item.name)}`],
        groupBy: options.grouped ? [value] : [],
      };
    }
    // Grouped, the spread's own embeds (JSON) are grouping columns as jsonb, like an embed.
    const names = outputNames(embed);
    const json = options.grouped ? jsonOutputNames(embed) : new Set<string>();
    const values = names.map((name) =>
      json.has(name)
        ? grouping(sql`${aliases.lateral}.${ident(name)}`)
        : sql`${aliases.lateral}.${ident(name)}`
    );
    return {
      join: lateral,
      outputs: json.size === 0
        ? [sql`${aliases.lateral}.*`]
        : values.map((value, i) => sql`${value} AS ${ident(names[i]!)}`),
      groupBy: options.grouped ? values : [],
    };
  }
  if (item.kind === "embed") {
    const agg = sql`${aliases.lateral}."pgrst_agg"`;
    const value = grouping(sql`coalesce(${agg}, '[]')`);
    return {
      join:
        sql` ${kind} JOIN LATERAL (SELECT json_agg(${aliases.row}) AS "pgrst_agg" FROM (${child}) AS ${aliases.row}) AS ${aliases.lateral} ON ${
          embed.join === "inner" ? sql`${agg} IS NOT NULL` : sql`TRUE`
        }`,
      outputs: visible ? [sql`${value} AS ${ident(item.name)}`] : [],
      groupBy: visible && options.grouped ? [value] : [],
    };
  }
  const names = outputNames(embed);
  const [first] = names;
  const aggregates = first === undefined
    ? [sql`count(*) AS "pgrst_count"`]
    : names.map((name) => sql`json_agg(${aliases.row}.${ident(name)}) AS ${ident(name)}`);
  const on = embed.join === "left"
    ? sql`TRUE`
    : first === undefined
    ? sql`${aliases.lateral}."pgrst_count" > 0`
    : sql`${aliases.lateral}.${ident(first)} IS NOT NULL`;
  const values = names.map((name) => grouping(sql`coalesce(${aliases.lateral}.${ident(name)}, '[]')`));
  return {
    join: sql` ${kind} JOIN LATERAL (SELECT ${
      join(aggregates, sql`, `)
    } FROM (${child}) AS ${aliases.row}) AS ${aliases.lateral} ON ${on}`,
    outputs: values.map((value, i) => sql`${value} AS ${ident(names[i]!)}`),
    groupBy: options.grouped ? values : [],
  };
}

/**
 * A spread whose select list aggregates: PostgREST computes its aggregates on the level it spreads into
 * (`orders?select=order_date,...customers(joined_date.max())` is the latest joined_date per order date),
 * grouped by that level's other outputs and the spread's plain columns. The spread's rows are joined as
 * they are (one per related row) and aggregated by the parent; `count()` counts the related rows found.
 */
function hoistedSpreadSql(
  item: PlannedSelect & { kind: "spread" },
  options: { schema: string; parent: Fragment },
): LateralSql {
  const { embed } = item;
  const lateral = levelAliases(embed.node.id).lateral;
  const rows = embed.node.select.flatMap((child): PlannedSelect[] =>
    child.kind === "count"
      ? []
      : child.kind === "field"
      ? [{ ...child, aggregate: null, aggregateCast: null }]
      : [child]
  );
  const child = readNodeSql({ ...embed.node, select: rows }, {
    schema: options.schema,
    parent: { alias: options.parent, relationship: embed.relationship },
    extraOutputs: [sql`TRUE AS "pgrst_found"`],
  });
  const kind = embed.join === "inner" ? sql`INNER` : sql`LEFT`;
  const outputs: Fragment[] = [];
  const groupBy: Fragment[] = [];
  const cast = (
    value: Fragment,
    type: string | null,
  ) => (type === null ? value : sql`CAST(${value} AS ${castType(type)})`);
  for (const child of embed.node.select) {
    if (child.kind === "count") {
      outputs.push(sql`${cast(sql`count(${lateral}."pgrst_found")`, child.cast)} AS ${ident(child.name)}`);
    } else if (child.kind === "field" && child.aggregate !== null) {
      const value = sql`${AGGREGATES[child.aggregate]}(${lateral}.${ident(child.name)})`;
      outputs.push(sql`${cast(value, child.aggregateCast)} AS ${ident(child.name)}`);
    } else {
      for (const name of child.kind === "star" ? child.columns : child.kind === "field" ? [child.name] : []) {
        outputs.push(sql`${lateral}.${ident(name)} AS ${ident(name)}`);
        groupBy.push(sql`${lateral}.${ident(name)}`);
      }
    }
  }
  return { join: sql` ${kind} JOIN LATERAL (${child}) AS ${lateral} ON TRUE`, outputs, groupBy };
}

/** The output names of an embedded level, in order (a star gives the table's columns). */
function outputNames(embed: PlannedEmbed): string[] {
  return embed.node.select.flatMap((item) => {
    switch (item.kind) {
      case "star":
        return [...item.columns];
      case "field":
      case "count":
        return [item.name];
      case "embed":
        return item.embed.node.select.length > 0 ? [item.name] : [];
      case "spread":
        return outputNames(item.embed);
    }
  });
}

/** The output names of an embedded level that hold JSON the gateway built: its embeds, to-many spreads. */
function jsonOutputNames(embed: PlannedEmbed): Set<string> {
  return new Set(embed.node.select.flatMap((item) => {
    if (item.kind === "embed") return item.embed.node.select.length > 0 ? [item.name] : [];
    if (item.kind !== "spread") return [];
    return item.embed.toOne ? [...jsonOutputNames(item.embed)] : outputNames(item.embed);
  }));
}

function orderSql(node: ReadNode, schema: string): Fragment {
  if (node.order.length === 0) return sql``;
  const table = levelAliases(node.id).table;
  const terms = node.order.map((term, i) =>
    sql`${orderTarget(term, { schema, table, id: `${node.id}_${i}` })}${
      term.direction === null ? sql`` : term.direction === "asc" ? sql` ASC` : sql` DESC`
    }${term.nulls === null ? sql`` : term.nulls === "first" ? sql` NULLS FIRST` : sql` NULLS LAST`}`
  );
  return sql` ORDER BY ${join(terms, sql`, `)}`;
}

function orderTarget(term: PlannedOrder, options: { schema: string; table: Fragment; id: string }): Fragment {
  const { target } = term;
  if (target.kind === "field") return fieldSql(target.field, options.table);
  const alias = ident(`pgrst_o${options.id}`);
  const related = joinSql(target.relationship, {
    schema: options.schema,
    parent: options.table,
    alias,
    junction: ident(`pgrst_oj${options.id}`),
  });
  return sql`(SELECT ${fieldSql(target.field, alias)} FROM ${related.from}${whereSql(related.conditions)})`;
}

function rangeSql(node: ReadNode): Fragment {
  const { limit, offset } = node.range;
  const limitSql = limit === null ? sql`` : sql` LIMIT ${integerLiteral(limit)}`;
  return offset === 0 ? limitSql : sql`${limitSql} OFFSET ${bindInteger(offset)}`;
}
