import assert from "node:assert/strict";
import { isTransactionModePool, isTransactionModeUrl } from "./transaction_mode.ts";

Deno.test("isTransactionModeUrl() recognises Supavisor's transaction-mode port", () => {
  const cases: [string, boolean][] = [
    ["postgresql://postgres.ref:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres", true],
    ["postgresql://postgres.ref:pw@aws-0-eu-central-1.pooler.supabase.com:5432/postgres", false],
    ["postgresql://postgres:pw@db.ref.supabase.co/postgres", false],
    ["postgresql://u:p@h1:6543,h2:5432/db", true],
    ["postgresql://u:p@[::1]:6543/db", true],
  ];
  for (const [url, expected] of cases) assert.equal(isTransactionModeUrl(url), expected, url);
  assert.equal(isTransactionModeUrl("postgresql://h:7777/db", [7777]), true);
});

Deno.test("isTransactionModePool() is explicit with a direct_url, else falls back on the URL", () => {
  const direct = "postgresql://u:p@db.example.test:5432/db";
  const bouncer = "postgresql://u:p@127.0.0.1:6432/db";
  assert.equal(isTransactionModePool({ url: bouncer, direct_url: direct }), true);
  assert.equal(isTransactionModePool({ url: direct, direct_url: direct }), false);
  assert.equal(isTransactionModePool({ url: bouncer }), false);
  assert.equal(isTransactionModePool({ url: `${bouncer}?prepare=false` }), true);
  assert.equal(isTransactionModePool({ url: "postgresql://u:p@pooler.example.test:6543/db" }), true);
});
