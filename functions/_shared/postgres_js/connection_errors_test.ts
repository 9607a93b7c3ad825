import assert from "node:assert/strict";
import { describeConnectionError, isConnectionFailure } from "./connection_errors.ts";

function postgresError(code: string, severity: string, message = "server said something"): Error {
  return Object.assign(new Error(message), { name: "PostgresError", code, severity });
}

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 10.0.0.7:5432`), { code });
}

Deno.test("isConnectionFailure() tells connection failures from query errors", () => {
  const cases: [unknown, boolean][] = [
    [networkError("ECONNREFUSED"), true],
    [networkError("ENOTFOUND"), true],
    [networkError("CONNECT_TIMEOUT"), true],
    [networkError("CONNECTION_CLOSED"), true],
    [postgresError("28P01", "FATAL"), true],
    [postgresError("3D000", "FATAL"), true],
    [postgresError("XX000", "FATAL"), true], // Supavisor: "Tenant or user not found"
    [postgresError("53300", "FATAL"), true],
    [postgresError("08006", "ERROR"), true],
    [postgresError("57P01", "FATAL"), true],
    [postgresError("42P01", "ERROR"), false],
    [postgresError("23505", "ERROR"), false],
    [postgresError("57014", "ERROR"), false],
    [networkError("CONNECTION_ENDED"), false],
    [networkError("toString"), false],
    [new TypeError("bug"), false],
    ["a string", false],
    [null, false],
  ];
  for (const [error, expected] of cases) {
    assert.equal(isConnectionFailure(error), expected, String((error as { code?: string })?.code ?? error));
  }
});

Deno.test("describeConnectionError() uses fixed words and codes, never the error's message", () => {
  const cases: [unknown, string][] = [
    [
      postgresError("28P01", "FATAL", 'password authentication failed for user "app"'),
      "authentication failed (SQLSTATE 28P01)",
    ],
    [
      postgresError("3D000", "FATAL", 'database "secret_db" does not exist'),
      "database does not exist (SQLSTATE 3D000)",
    ],
    [postgresError("08001", "FATAL"), "connection failure (SQLSTATE 08001)"],
    [
      postgresError("42883", "ERROR"),
      "private.schema_version() is missing (tenant schema not installed) (SQLSTATE 42883)",
    ],
    [postgresError("22012", "ERROR"), "database error (SQLSTATE 22012)"],
    [postgresError("not a code", "ERROR"), "connection failed"],
    [networkError("ECONNREFUSED"), "connection refused (ECONNREFUSED)"],
    [networkError("CONNECT_TIMEOUT"), "connection timed out (CONNECT_TIMEOUT)"],
    [networkError("EWHATEVER"), "connection failed"],
    [new Error("postgresql://app:pw@host/db"), "connection failed"],
  ];
  for (const [error, expected] of cases) assert.equal(describeConnectionError(error), expected);
});
