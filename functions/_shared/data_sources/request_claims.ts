/**
 * The claims a request carries into a data source: set transaction-locally as `request.jwt.claims` for a
 * `postgres` data source, minted into a short-lived JWT for a `supabase` one. Either way the tenant
 * database's RLS reads them.
 *
 * @module
 */

/** The claims the gateway sets for the tenant database's RLS (`request.jwt.claims`): never a role the user chose. */
export interface RequestClaims {
  sub: string;
  role: "authenticated";
  email?: string;
  aud?: string | string[];
  tenant_id: string;
  tenant_role: "owner" | "admin" | "member" | "viewer";
}
