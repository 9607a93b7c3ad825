/**
 * The call of a function as a FROM item (PostgREST's `callPlanToQuery`): the arguments travel as one JSON
 * bind parameter, read back with `json_to_record` into the parameters' own types, so a value of the wrong
 * type fails in PostgreSQL's input function (`22P02`, 400) and never reaches SQL as text.
 *
 * @module
 */

import type { CallPlan } from "../plan/mod.ts";
import { bind, type Fragment, ident, join, qualified, sql, typeName } from "./sql_fragment.ts";

/** The output column of a function returning a scalar (or a set of them). */
export const SCALAR_COLUMN: Fragment = sql`"pgrst_scalar"`;

/**
 * A SELECT of the call's result: the function's rows (`"pgrst_call".*`), or one column
 * {@linkcode SCALAR_COLUMN} for `void`, scalar and set-of-scalar functions.
 *
 * @example
 * ```ts
 * render(callSql(plan)).text;
 * // SELECT "pgrst_call".* FROM json_to_record($1::text::json) AS "pgrst_args"("query" text),
 * //   LATERAL "public"."search_contacts"("query" := "pgrst_args"."query") AS "pgrst_call"
 * ```
 */
export function callSql(plan: CallPlan): Fragment {
  const fn = qualified(plan.schema, plan.function);
  const { arguments: args } = plan;
  // The arguments' FROM item, if any; the call follows it as a LATERAL item.
  let from: Fragment | null = null;
  let call: Fragment;
  if (args.kind === "body") {
    call = sql`${fn}(CAST(${bind(args.raw)} AS ${args.type === "json" ? sql`json` : sql`jsonb`}))`;
  } else if (args.parameters.length === 0) {
    call = sql`${fn}()`;
  } else {
    const columns = args.parameters.map((parameter) =>
      sql`${ident(parameter.name)} ${typeName(parameter.type)}`
    );
    const named = args.parameters.map((parameter) =>
      sql`${parameter.variadic ? sql`VARIADIC ` : sql``}${ident(parameter.name)} := "pgrst_args".${
        ident(parameter.name)
      }`
    );
    from = sql`json_to_record(CAST(${bind(args.raw)} AS json)) AS "pgrst_args"(${join(columns, sql`, `)})`;
    call = sql`${fn}(${join(named, sql`, `)})`;
  }
  switch (plan.result) {
    case "void":
    case "scalar":
      return sql`SELECT ${call} AS ${SCALAR_COLUMN}${from === null ? sql`` : sql` FROM ${from}`}`;
    case "scalars":
      return sql`SELECT "pgrst_call".${SCALAR_COLUMN} FROM ${
        fromCall(from, call)
      } AS "pgrst_call"(${SCALAR_COLUMN})`;
    case "row":
    case "rows":
      return sql`SELECT "pgrst_call".* FROM ${fromCall(from, call)} AS "pgrst_call"`;
  }
}

function fromCall(from: Fragment | null, call: Fragment): Fragment {
  return from === null ? call : sql`${from}, LATERAL ${call}`;
}
