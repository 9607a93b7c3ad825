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
