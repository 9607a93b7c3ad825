/**
 * The benchmark's workloads: the requests supabase-js sends for two typical reads, as URLs and headers
 * for the gateway and for the baseline (which answers the same URLs).
 *
 * @module
 */

/** The workloads by name. */
export type WorkloadName = "by-id" | "list";

/** One workload: what it is and the URLs it cycles through. */
export interface Workload {
  name: WorkloadName;
  /** The supabase-js call it stands for. */
  call: string;
  /** Every URL the load cycles through, under `base` (`…/functions/v1/tenant-data`). */
  urls(base: string, contactIds: readonly string[]): string[];
  /** The `Accept` header supabase-js sends for it. */
  accept: string;
}

/** GET one contact by id, as `.single()`; the load cycles through up to 1000 ids. */
const BY_ID: Workload = {
  name: "by-id",
  call: `db.from("contacts").select("*").eq("id", id).single()`,
  urls: (base, ids) => ids.map((id) => `${base}/rest/v1/contacts?select=*&id=eq.${id}`),
  accept: "application/vnd.pgrst.object+json",
};

/** A filtered, ordered page of 20 contacts. */
const LIST: Workload = {
  name: "list",
  call: `db.from("contacts").select("id,name,email").not("account_id", "is", null).order("name").limit(20)`,
  urls: (base) => [
    `${base}/rest/v1/contacts?select=id%2Cname%2Cemail&account_id=not.is.null&order=name.asc&limit=20`,
  ],
  accept: "*/*",
};

/** Every workload, in report order. */
export const WORKLOADS: readonly Workload[] = [BY_ID, LIST];

/** Options of {@linkcode supabaseJsHeaders}. */
export interface SupabaseJsHeadersOptions {
  anonKey: string;
  accessToken: string;
  tenant: string;
  accept: string;
}

/**
 * The headers supabase-js 2.119 sends with a query-builder GET in Deno (apikey, bearer token, client
 * info, schema, accept) plus the app's `x-tenant-id`.
 */
export function supabaseJsHeaders(options: SupabaseJsHeadersOptions): Record<string, string> {
  return {
    "x-client-info": `supabase-js/2.119.0; runtime=deno; runtime-version=${Deno.version.deno}`,
    "apikey": options.anonKey,
    "authorization": `Bearer ${options.accessToken}`,
    "x-tenant-id": options.tenant,
    "accept-profile": "public",
    "accept": options.accept,
  };
}
