/**
 * What "fails closed" means for a gateway response, shared by the attack tests, the fuzzer and the secrets
 * scan: a status below 500, no secret of the stack, no SQL text or stack trace (unless the client sent it
 * and an error quotes it back), and no row of another tenant.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type GatewayResponse, TENANTS } from "./_clients.ts";
import { type TestStack, testStack } from "./_env.ts";

/** A value that must never appear in a response body or a log line, with what it is. */
export interface Secret {
  label: string;
  value: string;
}

/**
 * The stack's plaintext credentials and keys: the JWT secret, the service-role key, the database URLs and
 * their `user:password@` part, and the encryption keys of `TENANT_ENCRYPTION_KEYS`.
 */
export function knownSecrets(stack: TestStack): Secret[] {
  return [
    { label: "the JWT secret", value: stack.jwtSecret },
    { label: "the service_role key", value: stack.serviceRoleKey },
    { label: "a database password in a URL", value: "postgres:postgres@" },
    { label: "the application database URL", value: stack.appDbUrl },
    ...Object.values(stack.tenantDbUrls).map((value) => ({ label: "a tenant database URL", value })),
    ...encryptionKeys().map((value) => ({ label: "an encryption key", value })),
  ].filter(({ value }) => value.length >= 16); // a placeholder such as "x" would match anything
}

/** The 64-hex keys of TENANT_ENCRYPTION_KEYS, from the environment and the local stack's secrets file. */
export function encryptionKeys(): string[] {
  let text = Deno.env.get("TENANT_ENCRYPTION_KEYS") ?? "";
  try {
    text += `\n${Deno.readTextFileSync(new URL("../.local/secrets.env", import.meta.url))}`;
  } catch {
    // Not every machine has the dev stack's secrets file; the environment is enough.
  }
  const keys = [...text.matchAll(/[0-9a-fA-F]{64}/g)].map((match) => match[0]);
  return [...new Set([...keys, ...keys.map((key) => key.toLowerCase())])];
}

/** What never belongs in a body: SQL the gateway built, a stack trace. */
export const LEAKS: readonly { label: string; pattern: RegExp }[] = [
  // A statement, not the word: PostgREST's own messages say "Cannot parse select: …".
  { label: "SQL text (select)", pattern: /\bselect\s+(\*|[\w"]+\s*(,|\bfrom\b))/gi },
  { label: 'SQL text (from ")', pattern: /from \\?"/gi },
  { label: "the gateway's SQL aliases", pattern: /pgrst_/gi },
  { label: "a settings call", pattern: /set_config|request\.jwt\.claims/gi },
  { label: "a stack trace", pattern: /\n\s+at |file:\/\/|\.ts:\d+:\d+/g },
];

/** Row ids of the seed are `<table code><tenant digit>00000-…`: acme is 1, globex 2, initech 3. */
export function otherTenantRowIds(tenant: keyof typeof TENANTS): RegExp {
  const others = { acme: "23", globex: "13", initech: "12" }[tenant];
  return new RegExp(`1[0-9a-c][${others}]00000-0000-4000-8000-\\d{12}`, "g");
}

/** Every object inside a JSON value. */
export function* walk(value: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(value)) {
    for (const item of value) yield* walk(item);
  } else if (typeof value === "object" && value !== null) {
    yield value as Record<string, unknown>;
    for (const item of Object.values(value)) yield* walk(item);
  }
}

/** Options of {@linkcode failClosedProblems}. */
export interface FailClosedOptions {
  /**
   * What the client sent (the decoded query, header values, the body): an error may quote it back, and
   * that is no leak. A match of a leak pattern is excused when the client sent the same text.
   */
  sent?: readonly string[];
  /**
   * Ids (lower case) of rows and tenants that belong to other tenants: none may appear in any body unless
   * the client sent it (an error quoting the request), and none as a row's `id` in a successful answer.
   */
  foreignIds?: ReadonlySet<string>;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * The ways a response to a request of a user of `tenant` fails to fail closed; empty when it is fine:
 * a status of 500 or more, a secret of the stack in the body, SQL text or a stack trace the client did
 * not send, and in a successful answer a row id of another tenant (seed id scheme), another tenant's id,
 * or a `tenant_id` that is not the caller's.
 */
export function failClosedProblems(
  response: GatewayResponse,
  tenant: keyof typeof TENANTS,
  options: FailClosedOptions = {},
): string[] {
  const problems: string[] = [];
  const body = response.text;
  if (response.status >= 500) problems.push(`status ${response.status} (want < 500)`);
  for (const { label, value } of secrets()) {
    if (body.includes(value)) problems.push(`the body contains ${label}`);
  }
  const sent = (options.sent ?? []).filter((text) => text !== "");
  const sentLower = sent.map((text) => text.toLowerCase());
  const wasSent = (text: string) => sentLower.some((s) => s.includes(text.toLowerCase()));
  // Parse errors may quote what the client sent: whole values are cut out, and a match that is part of
  // something the client sent is an echo, not a leak. Checked on the raw body and on its decoded strings.
  let own = body;
  for (const text of sent.filter((s) => s.length >= 8)) { // cutting out "_" or "*" would hide a leak
    own = own.split(text).join("").split(JSON.stringify(text).slice(1, -1)).join("");
  }
  const decoded = [...strings(response.json)].join("\n");
  for (const { label, pattern } of LEAKS) {
    for (const text of [own, decoded]) {
      for (const match of text.matchAll(pattern)) {
        if (!wasSent(match[0])) {
          problems.push(`the body contains ${label} (${JSON.stringify(match[0])})`);
          break;
        }
      }
    }
  }
  for (const match of body.matchAll(UUID)) {
    const id = match[0].toLowerCase();
    if (options.foreignIds?.has(id) && !wasSent(id)) {
      problems.push(`the body names another tenant's id ${id}`);
    }
  }
  if (response.status >= 200 && response.status < 300) {
    for (const match of body.matchAll(otherTenantRowIds(tenant))) {
      problems.push(`another tenant's row id is in the answer: ${match[0]}`);
    }
    for (const [slug, id] of Object.entries(TENANTS)) {
      if (slug !== tenant && body.includes(id)) problems.push(`tenant ${slug}'s id is in the answer`);
    }
    for (const row of walk(response.json)) {
      // A string is a tenant id (tenant_id is a non-null uuid); null or a number is a computed value that
      // a request named tenant_id (a JSON path or an aggregate over the column), not a row's tenant.
      if (typeof row.tenant_id === "string" && row.tenant_id !== TENANTS[tenant]) {
        problems.push(`a row with tenant_id ${JSON.stringify(row.tenant_id)} is in the answer`);
      }
      if (typeof row.id === "string" && options.foreignIds?.has(row.id.toLowerCase())) {
        problems.push(`another tenant's row ${row.id} is in the answer`);
      }
    }
  }
  return [...new Set(problems)];
}

/**
 * The fail-closed checks every attack response passes: below 500, nothing secret or internal in the
 * body, and in a successful answer no row of a tenant other than `tenant`. `sent` is what the client
 * sent that an error may quote back.
 */
export function assertFailsClosed(response: GatewayResponse, tenant: keyof typeof TENANTS, sent = ""): void {
  const problems = failClosedProblems(response, tenant, { sent: [sent] });
  assert.deepEqual(problems, [], `${problems.join("; ")}: ${response.status} ${response.text.slice(0, 300)}`);
}

let cachedSecrets: Secret[] | undefined;

function secrets(): Secret[] {
  cachedSecrets ??= knownSecrets(testStack());
  return cachedSecrets;
}

/** Every string inside a JSON value, keys included. */
function* strings(value: unknown): Generator<string> {
  if (typeof value === "string") {
    yield value;
  } else if (Array.isArray(value)) {
    for (const item of value) yield* strings(item);
  } else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      yield key;
      yield* strings(item);
    }
  }
}
