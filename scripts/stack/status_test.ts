import assert from "node:assert/strict";
import { formatStatus, type StackStatus } from "./status.ts";

const KEY = `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.${"x".repeat(120)}.signature`;

function status(overrides: Partial<StackStatus> = {}): StackStatus {
  return {
    api_url: "http://127.0.0.1:54321",
    functions_url: "http://127.0.0.1:54321/functions/v1",
    db_url: "postgresql://postgres:postgres@127.0.0.1:54322/postgres",
    tenant_db_urls: {
      tenant_shared: "postgresql://postgres:postgres@127.0.0.1:54322/tenant_shared",
      tenant_acme: "postgresql://postgres:postgres@127.0.0.1:54322/tenant_acme",
    },
    anon_key: KEY,
    service_role_key: `${KEY}-service`,
    jwt_secret: "super-secret-jwt-token-with-at-least-32-characters-long",
    pg_data_dir: "/var/lib/postgresql/tenant-router/tr-dev-0123456789ab/pg",
    database_running: true,
    functions_running: false,
    tenants: [{ slug: "acme", status: "active", data_source: "tenant_acme" }],
    ...overrides,
  };
}

Deno.test("the status prints plain lines: none ends in a space, short ones stay short", () => {
  const text = formatStatus(status());
  const lines = text.split("\n");
  for (const line of lines) assert.doesNotMatch(line, /\s$/, JSON.stringify(line));
  assert.ok(
    lines.includes(
      "PostgreSQL        running, data in /var/lib/postgresql/tenant-router/tr-dev-0123456789ab/pg",
    ),
  );
  assert.ok(lines.includes("Functions server  stopped"));
  // A long key sits whole on its line, so it copies cleanly.
  assert.ok(lines.includes(`anon key          ${KEY}`));
  assert.ok(lines.some((line) => /│ acme\s+│ active\s+│ tenant_acme\s+│$/.test(line)));
});

Deno.test("a stopped stack says so, still without trailing spaces", () => {
  const text = formatStatus(status({ database_running: false, tenants: [] }));
  assert.match(text, /No tenants \(database stopped or not migrated\)$/);
  for (const line of text.split("\n")) assert.doesNotMatch(line, /\s$/);
});
