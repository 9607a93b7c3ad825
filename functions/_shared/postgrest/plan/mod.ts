/**
 * The plan stage: an {@linkcode ApiRequest} checked against a catalog snapshot → a {@linkcode Plan}
 * (PostgREST's `ReadPlan` / `MutatePlan`). Pure: it reads only the snapshot it is given. Unknown tables
 * (`PGRST205`, 404), columns (`PGRST204`) and relationships (`PGRST200`/`PGRST201`) are errors here, never
 * SQL.
 *
 * Layer 4 (the request language), second stage: may import `errors`, `catalog` and the parse stage.
 *
 * @module
 */
export type * from "./plan.ts";
export { planCall, type PlanCallOptions } from "./plan_call.ts";
export { findFunction, type FindFunctionOptions, type FoundFunction } from "./plan_function.ts";
export { findRelationship, type FindRelationshipOptions } from "./plan_relationship.ts";
export { planRequest, type PlanRequestOptions } from "./plan_request.ts";
