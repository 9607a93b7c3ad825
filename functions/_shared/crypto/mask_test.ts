import assert from "node:assert/strict";
import { MASK, maskConnectionString } from "./mask.ts";

Deno.test("maskConnectionString() masks the password and drops the query and fragment", () => {
  const cases: [string, string][] = [
    ["postgresql://user:pass@host:5432/db?sslmode=require", "postgresql://user:****@host:5432/db"],
    ["postgres://user:pass@host/db?password=pass2&sslpassword=pass3", "postgres://user:****@host/db"],
    ["postgresql://user:pass@host:5432/db#pass", "postgresql://user:****@host:5432/db"],
    ["postgresql://user:@host/db", "postgresql://user:****@host/db"],
    ["postgresql://user:pass@host", "postgresql://user:****@host"],
    ["POSTGRESQL://User:pass@Host.Example.COM:6543/Db", "POSTGRESQL://User:****@Host.Example.COM:6543/Db"],
    [
      "postgresql://postgres.abcdefghijklmnop:pass@aws-0-eu-central-1.pooler.supabase.com:6543/postgres",
      "postgresql://postgres.abcdefghijklmnop:****@aws-0-eu-central-1.pooler.supabase.com:6543/postgres",
    ],
  ];
  for (const [input, expected] of cases) assert.equal(maskConnectionString(input), expected, input);
});

Deno.test("maskConnectionString() keeps a string without a password as it is, minus the query", () => {
  const cases: [string, string][] = [
    ["postgresql://user@host:5432/db", "postgresql://user@host:5432/db"],
    ["postgresql://host/db?user=u&password=p", "postgresql://host/db"],
    ["postgresql://host", "postgresql://host"],
    ["postgresql:///db?host=/var/run/postgresql", "postgresql:///db"],
    ["https://abcdefghijklmnop.supabase.co", "https://abcdefghijklmnop.supabase.co"],
  ];
  for (const [input, expected] of cases) assert.equal(maskConnectionString(input), expected, input);
});

Deno.test("maskConnectionString() keeps IPv6 hosts, multi-host lists and percent-encoded users", () => {
  const cases: [string, string][] = [
    ["postgresql://user:pass@[::1]:5432/db", "postgresql://user:****@[::1]:5432/db"],
    ["postgresql://user:pass@[2001:db8::1]/db", "postgresql://user:****@[2001:db8::1]/db"],
    ["postgresql://user:pass@[fe80::1%25eth0]:5432/db", "postgresql://user:****@[fe80::1%25eth0]:5432/db"],
    ["postgresql://user:pass@h1:5432,h2:5433/db", "postgresql://user:****@h1:5432,h2:5433/db"],
    ["postgresql://us%40er%3Aname:p%40ss@host/db", "postgresql://us%40er%3Aname:****@host/db"],
    ["postgresql://us%40er@host/my%20db", "postgresql://us%40er@host/my%20db"],
  ];
  for (const [input, expected] of cases) assert.equal(maskConnectionString(input), expected, input);
});

Deno.test("maskConnectionString() masks a password with unencoded @ / ? # : characters whole", () => {
  const cases: [string, string][] = [
    ["postgresql://user:p@ss@host/db", "postgresql://user:****@host/db"],
    ["postgresql://user:pa/ss@host/db", "postgresql://user:****@host/db"],
    ["postgresql://user:12?34@host/db", "postgresql://user:****@host/db"],
    ["postgresql://user:pa#ss@host/db", "postgresql://user:****@host/db"],
    ["postgresql://user:pa:ss@host/db", "postgresql://user:****@host/db"],
  ];
  for (const [input, expected] of cases) assert.equal(maskConnectionString(input), expected, input);
});

Deno.test("maskConnectionString() returns **** for garbage rather than echoing it", () => {
  const cases: unknown[] = [
    "",
    "garbage",
    "p4ssw0rd-only",
    "host=db.internal user=app password=s3cret dbname=app",
    "user:pass@host:5432/db",
    "://user:pass@host",
    "postgresql://host/db?password=se@cret",
    "postgresql://user:pass@host/db name",
    "postgresql://user:pass@host:port/db",
    "postgresql://user:pass@ho st/db",
    "postgresql://user:pass@host/db\nnext",
    "postgresql://us er:pass@host/db",
    null,
    undefined,
    42,
    { toString: () => "postgresql://u:p@h/db" },
  ];
  for (const input of cases) {
    assert.equal(maskConnectionString(input as string), MASK, String(input));
  }
});

Deno.test("maskConnectionString() never shows the password in any masked output", () => {
  const password = "S3cr3tPw";
  const inputs = [
    `postgresql://u:${password}@h/db`,
    `postgresql://u:${password}@h/db?password=${password}`,
    `postgresql://h/db?password=${password}`,
    `postgresql://u:${password}@[::1]/db`,
    `postgresql://u:${password}@h1,h2/db#${password}`,
    `postgresql://u:${password}/x@h/db`,
    `postgresql://u:${password}?@h/db`,
    `postgresql://h:5432/${password}@x`,
    `${password}@host`,
  ];
  for (const input of inputs) assert.ok(!maskConnectionString(input).includes(password), input);
});
