/**
 * Clients for end-to-end tests: user tokens signed like Supabase Auth's, supabase-js pointed at the
 * gateway, and SQL run directly in a tenant database as a given tenant (the reference answer).
 *
 * @module
 */
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { SignJWT } from "jose";
import postgres from "postgres";
import type { TestStack } from "./_env.ts";

/** Demo users of CONTRACT.md by email, with their fixed ids (docs/demo-ids.md). */
export const USERS = {
  alice: { id: "b0000000-0000-4000-8000-000000000001", email: "alice@acme.test" },
  bob: { id: "b0000000-0000-4000-8000-000000000002", email: "bob@acme.test" },
  grace: { id: "b0000000-0000-4000-8000-000000000003", email: "grace@globex.test" },
  ivan: { id: "b0000000-0000-4000-8000-000000000004", email: "ivan@initech.test" },
  olivia: { id: "b0000000-0000-4000-8000-000000000005", email: "olivia@multi.test" },
  mallory: { id: "b0000000-0000-4000-8000-000000000006", email: "mallory@example.test" },
} as const;

/** Demo tenants by slug. */
export const TENANTS = {
  acme: "a0000000-0000-4000-8000-000000000001",
  globex: "a0000000-0000-4000-8000-000000000002",
  initech: "a0000000-0000-4000-8000-000000000003",
} as const;

/** Options of {@linkcode userToken}. */
export interface UserTokenOptions {
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  extraClaims?: Record<string, unknown>;
  secret?: string;
}

/** An HS256 access token for a demo user, as CONTRACT.md describes. */
export async function userToken(
  stack: TestStack,
  user: { id: string; email: string },
  options: UserTokenOptions = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT({
    sub: user.id,
    role: "authenticated",
    aud: "authenticated",
    email: user.email,
    ...options.extraClaims,
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 3600))
    .sign(new TextEncoder().encode(options.secret ?? stack.jwtSecret));
}

/** supabase-js pointed at the gateway, exactly as an app would configure it. */
export function gatewayClient(stack: TestStack, token: string, tenant?: string): SupabaseClient {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (tenant) headers["x-tenant-id"] = tenant;
  return createClient(`${stack.functionsUrl}/tenant-data`, stack.anonKey, {
    global: { headers },
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
}

/**
 * Runs SQL in a tenant database as the gateway would for that user and tenant (role authenticated, the
 * same claims), in a transaction that is rolled back: the reference the gateway's answers are checked
 * against.
 */
export async function sqlAsTenant<T>(
  url: string,
  claims: { sub: string; tenant_id: string; tenant_role: string },
  query: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const rollback = { result: undefined as T | undefined };
  try {
    await sql.begin(async (tx) => {
      await tx`select set_config('request.jwt.claims', ${
        JSON.stringify({ ...claims, role: "authenticated" })
      }, true)`;
      await tx`set local role authenticated`;
      rollback.result = await query(tx);
      throw rollback;
    }).catch((error) => {
      if (error !== rollback) throw error;
    });
  } finally {
    await sql.end();
  }
  return rollback.result as T;
}

/**
 * Runs `use` on a short-lived connection as the database owner (`postgres`, which bypasses RLS): for
 * setting up and cleaning up test rows and for checking what really is in a database.
 */
export async function adminSql<T>(url: string, use: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await use(sql);
  } finally {
    await sql.end();
  }
}

/** A fingerprint of every row of every business table of a tenant database: table → `count:md5`. */
export async function databaseFingerprint(url: string): Promise<Record<string, string>> {
  return await adminSql(url, async (sql) => {
    const tables = await sql<{ name: string }[]>`
      select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' order by 1`;
    const fingerprint: Record<string, string> = {};
    for (const { name } of tables) {
      const [row] = await sql<{ n: number; digest: string | null }[]>`
        select count(*)::int as n, md5(string_agg(t::text, '|' order by t::text)) as digest
        from ${sql("public")}.${sql(name)} as t`;
      fingerprint[name] = `${row?.n}:${row?.digest}`;
    }
    return fingerprint;
  });
}

/** Options of {@linkcode gatewayFetch}. */
export interface GatewayFetchOptions {
  /** The bearer token; `null` sends no Authorization header. */
  token: string | null;
  /** `x-tenant-id`, when given. */
  tenant?: string;
  /** The `apikey` header; default the anon key, `null` sends none. */
  apikey?: string | null;
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON unless it is a string. */
  body?: unknown;
}

/** A raw response of the gateway: status, headers and the body as text. */
export interface GatewayResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or `undefined` when it is empty or not JSON. */
  json: unknown;
}

/**
 * One raw HTTP request to the gateway's `/rest/v1` (`path` starts with the table), for what supabase-js
 * cannot send: hand-made headers, tokens and query strings.
 */
export async function gatewayFetch(
  stack: TestStack,
  path: string,
  options: GatewayFetchOptions,
): Promise<GatewayResponse> {
  const headers = new Headers(options.headers);
  const apikey = options.apikey === undefined ? stack.anonKey : options.apikey;
  if (apikey !== null) headers.set("apikey", apikey);
  if (options.token !== null) headers.set("authorization", `Bearer ${options.token}`);
  if (options.tenant !== undefined) headers.set("x-tenant-id", options.tenant);
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const response = await fetch(`${stack.functionsUrl}/tenant-data/rest/v1${path}`, {
    method: options.method ?? "GET",
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
