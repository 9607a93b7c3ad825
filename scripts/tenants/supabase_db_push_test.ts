import assert from "node:assert/strict";
import { cliDatabaseUrl } from "./supabase_db_push.ts";

Deno.test("cliDatabaseUrl() gives the Supabase CLI localhost and sslmode=disable for a local database", () => {
  assert.equal(
    cliDatabaseUrl("postgresql://postgres:postgres@127.0.0.1:54322/tenant_acme"),
    "postgresql://postgres:postgres@localhost:54322/tenant_acme?sslmode=disable",
  );
});

Deno.test("cliDatabaseUrl() keeps a remote URL and an explicit sslmode as they are", () => {
  const remote = "postgresql://app:pw@db.example.test:5432/app?sslmode=require";
  assert.equal(cliDatabaseUrl(remote), remote);
  assert.equal(
    cliDatabaseUrl("postgresql://u:p@localhost:5432/db?sslmode=prefer"),
    "postgresql://u:p@localhost:5432/db?sslmode=prefer",
  );
});
