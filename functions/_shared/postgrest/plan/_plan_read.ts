/**
 * The read tree of a request: the select list with its embedded resources, and the filters, logic trees,
 * orders and ranges of every level (PostgREST's `readPlan`: `initReadRequest`, `addRels`, `addFilters`,
 * `addOrders`, `addRanges`, `addLogicTrees`, `addNullEmbedFilters`).
 *
 * @module
 */

import { columnNotFound } from "./_schema_errors.ts";
import { type Catalog, type CatalogTable, computedFields, findColumn, findTable } from "../../catalog/mod.ts";
import { PostgrestError } from "../../errors/mod.ts";
import type {
  PlannedCondition,
  PlannedEmbed,
  PlannedOrder,
  PlannedRange,
  PlannedSelect,
  ReadNode,
} from "./plan.ts";
import { type NamedEmbed, planCondition } from "./_plan_condition.ts";
import { type FieldScope, planField } from "./_plan_field.ts";
import { findRelationship } from "./plan_relationship.ts";
import type { AggregateFunction, ApiQuery, Field, OrderTerm, SelectItem } from "../parse/mod.ts";

/** Options of {@linkcode planReadTree}. */
export interface PlanReadTreeOptions {
  /** The query string of the request. */
  query: ApiQuery;
  /** Whether `avg()`, `max()`, `min()`, `sum()` are allowed (`count()` always is); defaults to `false`. */
  aggregates?: boolean;
  /** Scope columns of composite foreign keys (see {@linkcode findRelationship}). */
  scopeColumns?: readonly string[];
}

/** The longest output name PostgreSQL keeps (`NAMEDATALEN - 1` bytes); longer ones would be truncated. */
export const MAX_OUTPUT_NAME_BYTES = 63;

interface Draft {
  id: number;
  table: string;
  select: PlannedSelect[];
  where: PlannedCondition[];
  order: PlannedOrder[];
  range: PlannedRange;
}

interface Level {
  node: Draft;
  table: CatalogTable;
  scope: FieldScope;
  children: (NamedEmbed & { level: Level })[];
}

interface Context {
  catalog: Catalog;
  aggregates: boolean;
  scopeColumns: readonly string[] | undefined;
  next: number;
}

/**
 * Plans the select list of `table` (resolving every embed to a relationship), then places each filter,
 * logic tree, order and `limit`/`offset` on the level its path names (`contacts.email=eq.x` on the level
 * embedded as `contacts`, matched by alias or relation). The root's range is the query's own; the caller
 * intersects it with `Range` and caps it.
 *
 * An embed with an empty select list (`contacts!inner()`) is joined but not output.
 *
 * @throws {PostgrestError} `42703` unknown column, `PGRST200`/`PGRST201` relationship not found or
 * ambiguous, `PGRST108` a filter/order/limit path or a related order that is not embedded, `PGRST118`
 * related order on a to-many embed, `PGRST120` bad operator on an embed, `PGRST123` aggregates not
 * allowed, `PGRST127` aggregates in a spread that embeds, `PGRST100` an output name over 63 bytes.
 *
 * @example
 * ```ts
 * const root = planReadTree(catalog, {
 *   table: findTable(catalog, "accounts")!,
 *   query: parseQuery(new URLSearchParams("select=id,contacts(email)&contacts.order=email&contacts.limit=2")),
 * });
 * root.select[1]; // { kind: "embed", name: "contacts", embed: { toOne: false, node: { range: { limit: 2 } … } } }
 * ```
 */
export function planReadTree(
  catalog: Catalog,
  options: PlanReadTreeOptions & { table: CatalogTable },
): ReadNode {
  const context: Context = {
    catalog,
    aggregates: options.aggregates ?? false,
    scopeColumns: options.scopeColumns,
    next: 0,
  };
  const root = planLevel(context, options.table, options.query.select, 0);
  const { query } = options;
  for (const filter of query.filters) {
    for (const level of resolve(root, filter.path)) {
      level.node.where.push(
        planCondition(level.scope, { kind: "filter", ...filter }, { embeds: level.children }),
      );
    }
  }
  for (const logic of query.logic) {
    for (const level of resolve(root, logic.path)) {
      level.node.where.push(planCondition(level.scope, logic.tree, { embeds: level.children }));
    }
  }
  for (const clause of query.order) {
    for (const level of resolve(root, clause.path)) {
      level.node.order.push(...clause.terms.map((term) => planOrderTerm(level, term)));
    }
  }
  for (const range of query.ranges) {
    for (const level of resolve(root, range.path)) {
      level.node.range = { offset: range.offset, limit: range.limit };
    }
  }
  return root.node;
}

function planLevel(
  context: Context,
  table: CatalogTable,
  items: readonly SelectItem[],
  depth: number,
  spread = false,
): Level {
  const node: Draft = {
    id: context.next++,
    table: table.name,
    select: [],
    where: [],
    order: [],
    range: { offset: 0, limit: null },
  };
  const { catalog } = context;
  const scope = { table, computed: computedFields(catalog, table.name), schema: catalog.schema };
  const level: Level = { node, table, scope, children: [] };
  const joinAliases = new Set<string>();
  let aggregated = false;
  for (const item of items) {
    switch (item.kind) {
      case "star":
        node.select.push({ kind: "star", columns: table.columns.map((column) => column.name) });
        break;
      case "count":
        if (item.bare && findColumn(table, "count") !== undefined) {
          node.select.push(fieldSelect(scope, { name: "count", jsonPath: [] }, { alias: item.alias }));
        } else {
          // PostgREST: `count()` is an aggregate like the others; the legacy bare `count` is always allowed.
          if (!item.bare && !context.aggregates) throw new PostgrestError("PGRST123");
          aggregated = true;
          node.select.push({ kind: "count", name: outputName(item.alias ?? "count"), cast: item.cast });
        }
        break;
      case "field": {
        if (item.aggregate !== null) {
          aggregated = true;
          if (!context.aggregates) throw new PostgrestError("PGRST123");
        }
        node.select.push(fieldSelect(scope, item.field, item));
        break;
      }
      case "embed":
      case "spread": {
        const relationship = findRelationship(context.catalog, {
          from: table.name,
          target: item.relation,
          hint: item.hint,
          ...(context.scopeColumns === undefined ? {} : { scopeColumns: context.scopeColumns }),
        });
        const target = findTable(context.catalog, relationship.foreignTable);
        if (target === undefined) throw columnNotFound(table.name, item.relation);
        // PostgREST names each embed's join `<table>_<alias or target>_<depth>`: the same name twice on a
        // level is PostgreSQL's 42712, which PostgREST passes on.
        const joinAlias = `${table.name}_${(item.kind === "embed" ? item.alias : null) ?? item.relation}_${
          depth + 1
        }`;
        if (joinAliases.has(joinAlias)) {
          throw new PostgrestError("42712", `table name "${joinAlias}" specified more than once`, {
            status: 400,
          });
        }
        joinAliases.add(joinAlias);
        const child = planLevel(context, target, item.select, depth + 1, item.kind === "spread");
        const embed: PlannedEmbed = {
          relationship,
          join: item.join ?? "left",
          toOne: relationship.cardinality === "many-to-one" || relationship.cardinality === "one-to-one",
          node: child.node,
        };
        if (item.kind === "embed") {
          const name = item.alias ?? item.relation;
          node.select.push({ kind: "embed", name: outputName(name), embed });
          level.children.push({
            names: item.alias === null ? [name] : [name, item.relation],
            embed,
            level: child,
          });
        } else {
          node.select.push({ kind: "spread", embed });
          level.children.push({ names: [item.relation], embed, level: child });
        }
        break;
      }
    }
  }
  // Aggregates of a spread are computed on the level it spreads into (PostgREST hoists them), over the
  // spread's columns beside the level's: the spread's own embeds would have to be grouped too.
  if (spread && aggregated && level.children.length > 0) {
    throw new PostgrestError("PGRST127", undefined, {
      details: "Aggregates in a spread resource cannot be combined with resources embedded in it",
      hint: "Aggregate inside the embedded resource instead: contacts(count())",
    });
  }
  return level;
}

function fieldSelect(
  scope: FieldScope,
  field: Field,
  item: {
    alias: string | null;
    cast?: string | null;
    aggregate?: AggregateFunction | null;
    aggregateCast?: string | null;
  },
): PlannedSelect {
  const aggregate = item.aggregate ?? null;
  const last = field.jsonPath.at(-1);
  const fallback = aggregate ?? (last?.kind === "key" ? last.key : field.name);
  return {
    kind: "field",
    field: planField(scope, field),
    name: outputName(item.alias ?? fallback),
    cast: item.cast ?? null,
    aggregate,
    aggregateCast: item.aggregateCast ?? null,
  };
}

function outputName(name: string): string {
  if (name.includes("\0")) throw new PostgrestError("PGRST100", "Cannot use output name: it contains NUL");
  if (new TextEncoder().encode(name).length > MAX_OUTPUT_NAME_BYTES) {
    throw new PostgrestError(
      "PGRST100",
      `Cannot use output name: longer than ${MAX_OUTPUT_NAME_BYTES} bytes`,
      {
        details: `Output name: ${JSON.stringify(name.slice(0, 40))}…`,
        hint: "Use a shorter alias: alias:column",
      },
    );
  }
  return name;
}

function resolve(root: Level, path: readonly string[]): Level[] {
  let levels = [root];
  for (const name of path) {
    const next = levels.flatMap((level) =>
      level.children.filter((child) => child.names.includes(name)).map((child) => child.level)
    );
    if (next.length === 0) throw notEmbedded(name);
    levels = next;
  }
  return levels;
}

function planOrderTerm(level: Level, term: OrderTerm): PlannedOrder {
  const { direction, nulls } = term;
  if (term.kind === "field" || term.relation === null) {
    return { target: { kind: "field", field: planField(level.scope, term.field) }, direction, nulls };
  }
  const relation = term.relation;
  const child = level.children.find((candidate) => candidate.names.includes(relation));
  if (child === undefined) throw notEmbedded(relation);
  if (!child.embed.toOne) {
    throw new PostgrestError("PGRST118", `A related order on '${relation}' is not possible`, {
      details: `'${level.table.name}' and '${relation}' do not form a many-to-one or one-to-one relationship`,
    });
  }
  return {
    target: {
      kind: "relation",
      relationship: child.embed.relationship,
      field: planField(child.level.scope, term.field),
    },
    direction,
    nulls,
  };
}

function notEmbedded(name: string): PostgrestError {
  return new PostgrestError("PGRST108", `'${name}' is not an embedded resource in this request`, {
    hint: `Verify that '${name}' is included in the 'select' query parameter.`,
  });
}
