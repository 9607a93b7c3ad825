import assert from "node:assert/strict";
import { redactSecrets } from "./redact.ts";

const cases: [string, string, string][] = [
  [
    "masks a URL's password",
    "connect postgresql://app:s3cret@db:5432/app failed",
    "connect postgresql://app:****@db:5432/app failed",
  ],
  ["keeps a URL without a password", "postgresql://app@db/app", "postgresql://app@db/app"],
  ["masks password= parameters", "host=db password=hunter2 user=x", "host=db password=**** user=x"],
  ["masks JWTs", "key eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJlMTIz end", "key **** end"],
  ["masks Supabase secret keys", "sb_secret_abcdefgh12345678", "sb_secret_****"],
  ["masks long hex (keys, ciphertext)", `key ${"ab".repeat(32)}`, "key ****"],
  ["leaves ordinary text alone", "Tenant acme not found (42P01)", "Tenant acme not found (42P01)"],
];

for (const [name, input, expected] of cases) {
  Deno.test(`redactSecrets() ${name}`, () => {
    assert.equal(redactSecrets(input), expected);
  });
}
