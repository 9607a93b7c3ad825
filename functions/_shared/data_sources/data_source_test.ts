import assert from "node:assert/strict";
import { DataSource } from "./data_source.ts";

const url = "postgresql://app:s3cret-Pa55@db.example.test:6543/tenant_acme?sslmode=require";
const source = new DataSource({
  id: "4f1a0000-0000-4000-8000-000000000001",
  name: "tenant_acme",
  status: "active",
  isDefault: false,
  poolMax: 10,
  version: "k1:00ff",
  credentials: { kind: "postgres", credentials: { url } },
});

Deno.test("DataSource.credentials() returns the decrypted credentials, frozen", () => {
  const credentials = source.credentials();
  assert.deepEqual(credentials, { kind: "postgres", credentials: { url } });
  assert.ok(Object.isFrozen(credentials) && Object.isFrozen(credentials.credentials));
  assert.equal(source.kind, "postgres");
});

Deno.test("DataSource shows a masked URL in JSON and console output, never the password", () => {
  assert.deepEqual(JSON.parse(JSON.stringify(source)), {
    id: "4f1a0000-0000-4000-8000-000000000001",
    name: "tenant_acme",
    kind: "postgres",
    status: "active",
    isDefault: false,
    poolMax: 10,
    version: "k1:00ff",
    url: "postgresql://app:****@db.example.test:6543/tenant_acme",
  });
  for (const text of [Deno.inspect(source), Deno.inspect({ nested: [source] }), JSON.stringify(source)]) {
    assert.ok(!text.includes("s3cret-Pa55"), text);
  }
  assert.deepEqual(Object.keys(source).includes("credentials"), false);
});

Deno.test("DataSource shows only the project URL of a supabase data source", () => {
  const project = new DataSource({
    id: "4f1a0000-0000-4000-8000-000000000002",
    name: "project",
    status: "draining",
    isDefault: false,
    poolMax: 1,
    version: "k1:01",
    credentials: {
      kind: "supabase",
      credentials: {
        url: "https://abcdefghijklmnop.supabase.co",
        anon_key: "anon-key-0123456789abc",
        service_key: "service-key-0123456789abc",
      },
    },
  });
  const text = Deno.inspect(project);
  assert.match(text, /https:\/\/abcdefghijklmnop\.supabase\.co/);
  assert.ok(!text.includes("service-key") && !text.includes("anon-key"), text);
});
