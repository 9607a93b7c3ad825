// Fixtures of the plan and sql tests: the catalog snapshot, and requests parsed as the gateway parses them.
import type { Catalog } from "../../catalog/catalog.ts";
import { parseRequest } from "../parse/parse_request.ts";
import type { Plan } from "../plan/plan.ts";
import { planRequest, type PlanRequestOptions } from "../plan/plan_request.ts";
import type { ApiRequest } from "../parse/request.ts";
import { buildQuery, type SqlQuery } from "../sql/sql_query.ts";

/** The catalog snapshot of the tenant schema. */
export const catalog: Catalog = JSON.parse(
  await Deno.readTextFile(new URL("../../catalog/testdata/catalog.json", import.meta.url)),
);

/** Options of {@linkcode apiRequest}. */
export interface ApiRequestOptions {
  /** The schemas a profile header may name. */
  schemas?: readonly string[];
}

/** A parsed request for `/rest/v1/<path>`, as the gateway would see it. */
export function apiRequest(
  path: string,
  init: RequestInit = {},
  options: ApiRequestOptions = {},
): Promise<ApiRequest> {
  const request = new Request(`http://gateway.test/functions/v1/tenant-data/rest/v1/${path}`, init);
  return parseRequest(request, {
    path: `/rest/v1/${new URL(request.url).pathname.split("/rest/v1/")[1] ?? ""}`,
    ...(options.schemas === undefined ? {} : { schemas: options.schemas }),
  });
}

/** Parse → plan for `path`, against the snapshot unless `catalog` is given. */
export async function planFor(
  path: string,
  init: RequestInit = {},
  options: PlanRequestOptions & { catalog?: Catalog } = {},
): Promise<Plan> {
  const source = options.catalog ?? catalog;
  const request = await apiRequest(path, init, source === catalog ? {} : { schemas: [source.schema] });
  return planRequest(request, source, options);
}

/** Parse → plan → sql for `path`. */
export async function queryFor(
  path: string,
  init: RequestInit = {},
  options: PlanRequestOptions & { catalog?: Catalog } = {},
): Promise<SqlQuery> {
  return buildQuery(await planFor(path, init, options));
}

/** A JSON write request's init. */
export function write(method: "POST" | "PATCH" | "DELETE", body: unknown, prefer = ""): RequestInit {
  return {
    method,
    headers: { "content-type": "application/json", ...(prefer === "" ? {} : { prefer }) },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  };
}
