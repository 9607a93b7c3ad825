// Builders for expected values in the parser tests.
import type {
  Field,
  Filter,
  JsonPathStep,
  Operation,
  QuantifiableOperator,
  SelectField,
  SelectItem,
  SimpleOperator,
} from "../parse/request.ts";

/** A field: `field("address", key("->>", "city"))`. */
export function field(name: string, ...jsonPath: JsonPathStep[]): Field {
  return { name, jsonPath };
}

/** A JSON path key step. */
export function key(arrow: "->" | "->>", name: string): JsonPathStep {
  return { arrow, kind: "key", key: name };
}

/** A JSON path index step. */
export function idx(arrow: "->" | "->>", index: number): JsonPathStep {
  return { arrow, kind: "index", index };
}

/** A select column with defaults for everything not given. */
export function col(
  name: string | Field,
  extra: Partial<Omit<SelectField, "kind" | "field">> = {},
): SelectField {
  return {
    kind: "field",
    field: typeof name === "string" ? field(name) : name,
    alias: null,
    cast: null,
    aggregate: null,
    aggregateCast: null,
    ...extra,
  };
}

/** An embed with defaults. */
export function embed(
  relation: string,
  select: SelectItem[],
  extra: { alias?: string; hint?: string; join?: "inner" | "left" } = {},
): SelectItem {
  return {
    kind: "embed",
    relation,
    alias: extra.alias ?? null,
    hint: extra.hint ?? null,
    join: extra.join ?? null,
    select,
  };
}

/** A comparison. */
export function cmp(
  operator: QuantifiableOperator | SimpleOperator,
  value: string,
  quantifier: "any" | "all" | null = null,
): Operation {
  return { kind: "compare", operator, quantifier, value };
}

/** A root filter on a plain column. */
export function filter(name: string, operation: Operation, negated = false): Filter {
  return { path: [], field: field(name), negated, operation };
}
