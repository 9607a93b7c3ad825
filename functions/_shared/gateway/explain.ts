/**
 * EXPLAIN plans (`Accept: application/vnd.pgrst.plan`, supabase-js' `explain()`), served as PostgREST
 * serves them with `db-plan-enabled`: the statement the request would run, explained under the same role
 * and claims, as text lines or PostgreSQL's JSON. Off unless the data source turned plans on; then the
 * request falls back to the next media type it accepts, or PostgREST's 406 `PGRST107`.
 *
 * @module
 */
import { type AcceptMedia, type ApiRequest, type ExplainRequest, PostgrestError } from "../postgrest/mod.ts";

/**
 * The request to plan and the EXPLAIN it asks for: `explain` is `null` when it asks for none, or when
 * plans are off and it accepts something else.
 *
 * @throws {PostgrestError} `PGRST107` (406) when plans are off and nothing else is acceptable.
 */
export function explainOf(
  request: ApiRequest,
  planEnabled: boolean,
): { request: ApiRequest; explain: ExplainRequest | null } {
  const { plan, ...media } = request.accept;
  if (plan === undefined) return { request, explain: null };
  if (planEnabled) return { request: { ...request, accept: media }, explain: plan };
  if ("refused" in plan.otherwise) throw new PostgrestError("PGRST107", plan.otherwise.refused);
  return { request: { ...request, accept: plan.otherwise satisfies AcceptMedia }, explain: null };
}

/** `EXPLAIN (FORMAT …, ANALYZE, …) <statement>`, with the statement's parameters unchanged. */
export function explainStatement<T extends { text: string }>(statement: T, explain: ExplainRequest): T {
  const options = [`FORMAT ${explain.format.toUpperCase()}`, ...explain.options.map((o) => o.toUpperCase())];
  return { ...statement, text: `EXPLAIN (${options.join(", ")}) ${statement.text}` };
}

/** The plan's rows as PostgREST answers them: 200, the text lines or the JSON, PostgREST's content type. */
export function planResponse(
  rows: readonly Record<string, unknown>[],
  explain: ExplainRequest,
  method: string,
): Response {
  const lines = rows.map((row) => row["QUERY PLAN"]);
  const body = explain.format === "json" ? JSON.stringify(lines[0] ?? []) : lines.join("\n");
  return new Response(method === "HEAD" ? null : body, {
    status: 200,
    headers: { "content-type": explain.contentType },
  });
}
