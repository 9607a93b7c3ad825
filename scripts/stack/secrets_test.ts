import assert from "node:assert/strict";
import { LOCAL_JWT_SECRET, mintApiKey, parseEnvFile } from "./secrets.ts";

// Supabase's published local development keys, which `supabase start` prints.
const WELL_KNOWN_ANON_KEY =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0";
const WELL_KNOWN_SERVICE_ROLE_KEY =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU";

Deno.test("mintApiKey() reproduces Supabase's well-known local anon and service-role keys", async () => {
  assert.equal(await mintApiKey("anon", LOCAL_JWT_SECRET), WELL_KNOWN_ANON_KEY);
  assert.equal(await mintApiKey("service_role", LOCAL_JWT_SECRET), WELL_KNOWN_SERVICE_ROLE_KEY);
});

Deno.test("parseEnvFile() reads assignments and skips comments and blank lines", () => {
  const values = parseEnvFile('# comment\n\nA=1\nB_2 = "two words"\nlower=ignored\n');
  assert.deepEqual(values, { A: "1", B_2: "two words" });
});
