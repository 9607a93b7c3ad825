// Shared fixtures of the admin API's tests (and the operator CLI's): the test database's environment,
// tokens, throw-away users, tenants and databases. TEST ONLY.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { SignJWT } from "jose";
import postgres from "postgres";
import { JwtVerifier } from "../../auth/mod.ts";
import { Keyring } from "../../crypto/mod.ts";
import { applyMigrations, loadMigrations } from "../../provision/mod.ts";
import { createAdminHandler } from "../app.ts";
import type { ProbeFunction } from "../../control_plane/test_data_source.ts";

/** Supabase's well-known local JWT secret. */
export const LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
/** The repository root. */
export const ROOT: string = fileURLToPath(new URL("../../../../", import.meta.url)).replace(/\/$/, "");

/** The environment `npm test` gives tests that need the database. */
export interface TestDatabaseEnv {
  dbUrl: string;
  jwtSecret: string;
  serviceRoleKey: string;
  encryptionKeys: string;
  activeKey: string;
  sharedDbUrl: string;
  acmeDbUrl: string;
}

/** The database environment, or `undefined` (tests that need it are then ignored). */
export function databaseEnv(): TestDatabaseEnv | undefined {
  const get = (name: string) => Deno.env.get(name) || undefined;
  const values = {
    dbUrl: get("SUPABASE_DB_URL"),
    jwtSecret: get("SUPABASE_JWT_SECRET"),
    serviceRoleKey: get("SUPABASE_SERVICE_ROLE_KEY"),
    encryptionKeys: get("TENANT_ENCRYPTION_KEYS"),
    activeKey: get("TENANT_ENCRYPTION_ACTIVE_KEY"),
    sharedDbUrl: get("TENANT_SHARED_DB_URL"),
    acmeDbUrl: get("TENANT_ACME_DB_URL"),
  };
  if (Object.values(values).some((value) => value === undefined)) return undefined;
  return values as TestDatabaseEnv;
}

/** The environment as a `Map` for `Keyring.fromEnv`. */
export function keyEnv(env: TestDatabaseEnv): Map<string, string> {
  return new Map([["TENANT_ENCRYPTION_KEYS", env.encryptionKeys], [
    "TENANT_ENCRYPTION_ACTIVE_KEY",
    env.activeKey,
  ]]);
}

/** A short random suffix for unique names. */
export function unique(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Signs an HS256 JWT valid for an hour. */
export async function signToken(claims: Record<string, unknown>, secret = LOCAL_JWT_SECRET): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT({ iat: now, exp: now + 3600, ...claims })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(secret));
}

/** A signed-in user's access token, as Supabase Auth issues it. */
export async function userToken(
  user: { id: string; email?: string },
  appMetadata: Record<string, unknown> = {},
): Promise<string> {
  return await signToken({
    sub: user.id,
    role: "authenticated",
    aud: "authenticated",
    email: user.email,
    app_metadata: { provider: "email", ...appMetadata },
  });
}

/** The service-role key (a `service_role` JWT). */
export async function serviceToken(): Promise<string> {
  return await signToken({ iss: "supabase-demo", role: "service_role" });
}

/** Creates a user in `auth.users`; remove it with {@linkcode deleteUsers}. */
export async function createUser(sql: postgres.Sql, email: string): Promise<{ id: string; email: string }> {
  const id = crypto.randomUUID();
  await sql`
    insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data)
    values ('00000000-0000-0000-0000-000000000000', ${id}, 'authenticated', 'authenticated', ${email},
            '{"provider": "email"}', '{}')`;
  return { id, email };
}

/** Deletes test users (their memberships go with them). */
export async function deleteUsers(sql: postgres.Sql, ids: string[]): Promise<void> {
  if (ids.length > 0) await sql`delete from auth.users where id = any(${ids}::uuid[])`;
}

/** Deletes test tenants by slug (their memberships go with them). */
export async function deleteTenants(sql: postgres.Sql, slugs: string[]): Promise<void> {
  if (slugs.length > 0) await sql`delete from public.tenants where slug = any(${slugs}::text[])`;
}

/** Deletes test data sources by name, first routing their tenants back to the default. */
export async function deleteDataSources(sql: postgres.Sql, names: string[]): Promise<void> {
  if (names.length === 0) return;
  await sql`
    update public.tenants set data_source_id = null
    where data_source_id in (select id from private.data_sources where name = any(${names}::text[]))`;
  await sql`delete from private.data_sources where name = any(${names}::text[])`;
}

/** A connection to the test database for fixtures. */
export function connect(url: string): postgres.Sql {
  return postgres(url, { max: 2, onnotice: () => {} });
}

/** A database created for one test and dropped afterwards. */
export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Options of {@linkcode createScratchDatabase}. */
export interface ScratchDatabaseOptions {
  /** Make it look like Supabase's image (roles, auth schema, extensions): `scripts/stack/bootstrap.sql`. */
  bootstrap?: boolean;
  /** Apply the application database's migrations (`supabase/migrations`) too. */
  applicationSchema?: boolean;
}

/** Creates an empty database on the test cluster (the superuser URL's server). */
export async function createScratchDatabase(
  adminUrl: string,
  options: ScratchDatabaseOptions = {},
): Promise<ScratchDatabase> {
  const name = `tr_scratch_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const scratch: ScratchDatabase = {
    name,
    url: url.toString(),
    async drop() {
      const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await sql.end();
      }
    },
  };
  if (options.bootstrap || options.applicationSchema) {
    const sql = postgres(scratch.url, { max: 1, onnotice: () => {} });
    try {
      await sql.unsafe(await Deno.readTextFile(`${ROOT}/scripts/stack/bootstrap.sql`)).simple();
      if (options.applicationSchema) {
        await applyMigrations(sql, await loadMigrations(`${ROOT}/supabase/migrations`));
      }
    } finally {
      await sql.end();
    }
  }
  return scratch;
}

/** Options of {@linkcode testHandler}. */
export interface TestHandlerOptions {
  /** The application database; default a lazy pool that is never reached. */
  dbUrl?: string;
  keyring?: Keyring;
  probe?: ProbeFunction;
  migrationsDir?: string;
}

/** The admin handler with test wiring, and a way to close its pool. */
export async function testHandler(options: TestHandlerOptions = {}) {
  const sql = postgres(options.dbUrl ?? "postgresql://nobody@127.0.0.1:1/none", {
    max: 2,
    onnotice: () => {},
  });
  const logged: string[] = [];
  const handle = createAdminHandler({
    functionName: "tenant-admin",
    sql,
    keyring: options.keyring ?? await Keyring.fromKeys([{ id: "k1", hex: "ab".repeat(32) }]),
    verifier: await JwtVerifier.create({ secret: LOCAL_JWT_SECRET }),
    probe: options.probe,
    migrationsDir: options.migrationsDir,
    log: (line) => logged.push(line),
  });
  return {
    handle,
    sql,
    logged,
    /** Sends a request to the handler; `body` is sent as JSON. */
    async call(method: string, path: string, init: { token?: string; body?: unknown; raw?: string } = {}) {
      const headers = new Headers();
      if (init.token) headers.set("authorization", `Bearer ${init.token}`);
      let body: string | null = null;
      if (init.raw !== undefined) {
        body = init.raw;
        headers.set("content-type", "application/json");
      } else if (init.body !== undefined) {
        body = JSON.stringify(init.body);
        headers.set("content-type", "application/json");
      }
      const response = await handle(
        new Request(`http://local/tenant-admin${path}`, { method, headers, body }),
      );
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        text,
        json: text ? JSON.parse(text) : null,
      };
    },
    async close() {
      await sql.end({ timeout: 1 });
    },
  };
}

/** Asserts that `text` contains none of `secrets`. */
export function assertNoSecrets(text: string, secrets: string[]): void {
  for (const secret of secrets) assert.ok(!text.includes(secret), "the response contains a secret");
}
