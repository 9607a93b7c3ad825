/**
 * Runs last (`zz_`: `deno test` runs `tests/` after `functions/` and `scripts/`, each folder in name
 * order): every line the stack logged while the whole suite ran (`<profile>/logs/*.log`: the functions
 * server and PostgreSQL) is scanned for plaintext credentials and keys. Expected: no hit.
 *
 * What is searched:
 * - the stack's secrets: JWT secret, service-role key, database URLs and `postgres:postgres@`, the
 *   encryption keys of `TENANT_ENCRYPTION_KEYS` (`_fail_closed.ts`'s list, shared with the response checks);
 * - every registered data source's credentials, decrypted (URL, password, API keys, JWT secret), and its
 *   stored ciphertext (hex, `\x` hex and base64);
 * - the credentials the test sources use (passwords in connection strings, 64-hex keys);
 * - anything shaped like a credential: a URL with an unmasked password, a JWT other than the public anon
 *   key, a long bytea hex literal.
 *
 * A hit is reported by file, line and kind, with the secret itself cut out.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Keyring } from "../functions/_shared/crypto/mod.ts";
import { openCredentials } from "../functions/_shared/data_sources/credentials.ts";
import { apiUrl, PROJECT_ROOT, stackProfile, type StackProfileName } from "../scripts/stack/profile.ts";
import { adminSql } from "./_clients.ts";
import { type TestStack, testStack } from "./_env.ts";
import { knownSecrets, type Secret } from "./_fail_closed.ts";

const stack = testStack();

/** The log folder of the stack the tests ran against (matched by its API URL). */
function logDir(stack: TestStack): string {
  const names: StackProfileName[] = ["test", "dev", "bench"];
  const profile = names.map((name) => stackProfile(name)).find((p) => apiUrl(p) === stack.apiUrl);
  if (!profile) throw new Error(`No local stack serves ${stack.apiUrl}`);
  return profile.logDir;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function base64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

/** Each registered data source's credentials (decrypted) and ciphertext. */
async function dataSourceSecrets(): Promise<Secret[]> {
  const keyring = await Keyring.fromEnv(Deno.env);
  const rows = await adminSql(
    stack.appDbUrl,
    (sql) =>
      sql<
        {
          id: string;
          name: string;
          kind: string;
          secret_ciphertext: Uint8Array;
          secret_nonce: Uint8Array;
          secret_key_id: string;
        }[]
      >`
      select id, name, kind, secret_ciphertext, secret_nonce, secret_key_id from private.data_sources`,
  );
  assert.ok(rows.length >= 2, "the local data sources are registered");
  const secrets: Secret[] = [];
  for (const row of rows) {
    const label = `data source ${row.name}`;
    secrets.push(
      { label: `${label}: ciphertext (hex)`, value: hex(row.secret_ciphertext) },
      { label: `${label}: ciphertext (base64)`, value: base64(row.secret_ciphertext) },
    );
    let opened: Awaited<ReturnType<typeof openCredentials>>;
    try {
      opened = await openCredentials(keyring, row);
    } catch (error) {
      // Sealed with a key this environment lacks: its ciphertext is still searched, and so is any URL with
      // a password (SHAPES).
      console.log(`secrets scan: cannot open ${label} (${error instanceof Error ? error.name : error})`);
      continue;
    }
    const { kind, credentials } = opened;
    secrets.push({ label: `${label}: connection URL`, value: credentials.url });
    if (kind === "postgres") {
      const password = decodeURIComponent(new URL(credentials.url).password);
      // A short or common password ("postgres") is searched as it sits in a URL, not as a bare word.
      secrets.push({ label: `${label}: password in a URL`, value: `:${password}@` });
      if (password.length >= 12) secrets.push({ label: `${label}: password`, value: password });
    } else {
      secrets.push(
        { label: `${label}: anon key`, value: credentials.anon_key },
        { label: `${label}: service key`, value: credentials.service_key },
        ...(credentials.jwt_secret ? [{ label: `${label}: JWT secret`, value: credentials.jwt_secret }] : []),
      );
    }
  }
  return secrets;
}

/** Passwords in connection strings and 64-hex keys the test sources use (they may reach the stack). */
async function testSourceSecrets(): Promise<Secret[]> {
  const secrets = new Map<string, Secret>();
  const visit = async (dir: string): Promise<void> => {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory && !entry.name.startsWith(".") && entry.name !== "node_modules") {
        await visit(path);
      }
      if (!entry.isFile || !/(_test|^_[a-z_]+)\.ts$/.test(entry.name)) continue;
      const text = await Deno.readTextFile(path);
      for (const [, password] of text.matchAll(/postgres(?:ql)?:\/\/[^:/\s"'`@]+:([^@\s"'`$*{]{2,})@/g)) {
        // As it sits in a URL; bare only when it is long enough not to be an ordinary word ("postgres").
        secrets.set(`:${password}@`, {
          label: `a password from ${entry.name} in a URL`,
          value: `:${password}@`,
        });
        if (password!.length >= 9) {
          secrets.set(password!, { label: `a password from ${entry.name}`, value: password! });
        }
      }
      for (const [key] of text.matchAll(/\b[0-9a-f]{64}\b/g)) {
        secrets.set(key, { label: `a key from ${entry.name}`, value: key });
      }
    }
  };
  for (const dir of ["functions", "scripts", "tests"]) await visit(join(PROJECT_ROOT, dir));
  return [...secrets.values()];
}

/** Shapes of a credential, whatever its value. */
const SHAPES: { label: string; pattern: RegExp }[] = [
  {
    label: "a URL with an unmasked password",
    pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"`]+:(?!\*{4}@)[^\s@/'"`]+@/i,
  },
  { label: "a JWT", pattern: /\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}/ },
  { label: "a bytea hex literal (ciphertext?)", pattern: /\\x[0-9a-f]{32,}/i },
];

Deno.test("no log line of the whole test suite contains a credential or key", async () => {
  const dir = logDir(stack);
  const secrets = [...knownSecrets(stack), ...await dataSourceSecrets(), ...await testSourceSecrets()]
    .filter(({ value }) => value.length >= 6);
  const hits: string[] = [];
  const summary: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.name.endsWith(".log")) continue;
    const lines = (await Deno.readTextFile(join(dir, entry.name))).split("\n");
    summary.push(`${entry.name}: ${lines.length} lines`);
    lines.forEach((line, i) => {
      for (const { label, value } of secrets) {
        if (line.includes(value)) {
          hits.push(`${entry.name}:${i + 1}: ${label}: ${redact(line, value, label)}`);
        }
      }
      for (const { label, pattern } of SHAPES) {
        const match = pattern.exec(line);
        if (match && match[0] !== stack.anonKey && !match[0].startsWith(stack.anonKey)) {
          hits.push(`${entry.name}:${i + 1}: ${label}: ${redact(line, match[0], label)}`);
        }
      }
    });
  }
  console.log(
    `secrets scan of ${dir}: ${summary.join(", ")}; ${secrets.length} values and ${SHAPES.length} shapes`,
  );
  assert.ok(summary.some((s) => s.startsWith("functions.log")), "the functions server's log was scanned");
  assert.ok(summary.some((s) => s.startsWith("postgres.log")), "PostgreSQL's log was scanned");
  assert.deepEqual(hits.slice(0, 50), [], `${hits.length} log lines contain a credential or key`);
});

/** The line with the secret replaced by its label, shortened: a report must not repeat the secret. */
function redact(line: string, value: string, label: string): string {
  return line.split(value).join(`<${label}>`).slice(0, 300);
}

Deno.test("the application database logs its errors without DETAIL, which would quote a refused row", async () => {
  // A CHECK violation's DETAIL ("Failing row contains (…)") quotes the row: for private.data_sources, its
  // ciphertext, or the plain text the CHECK exists to refuse. A run of this suite logged one (see
  // ciphertext_constraint_test.ts); the local stack now sets log_error_verbosity = terse there.
  const [row] = await adminSql(
    stack.appDbUrl,
    (sql) => sql<{ verbosity: string }[]>`select current_setting('log_error_verbosity') as verbosity`,
  );
  assert.equal(row?.verbosity, "terse");
});
