/**
 * zod validation that fails with a `TR600` {@linkcode AdminError} listing the path of every bad field.
 *
 * @module
 */
import type { z } from "zod";
import { AdminError, type ValidationIssue } from "./admin_error.ts";

/** Options of {@linkcode validate}. */
export interface ValidateOptions {
  /** What was validated, for the message: `"request body"` (default), `"path"`, `"arguments"`. */
  subject?: string | undefined;
  /** A hint for the error. */
  hint?: string | undefined;
  /** Prepended to every path: the value's place in a larger body (`"credentials"`). */
  pathPrefix?: string | undefined;
}

/**
 * Parses `value` with `schema`, or throws a `TR600` whose `details` are `{ path, message }` per issue
 * and whose message names every path. Values are never echoed.
 *
 * @example
 * ```ts
 * const body = validate(CreateTenantBody, await request.json());
 * ```
 */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  options: ValidateOptions = {},
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw validationError(result.error.issues, options);
}

/** The `TR600` for zod issues (exported for the HTTP validator hook). */
export function validationError(
  issues: readonly z.core.$ZodIssue[],
  options: ValidateOptions = {},
): AdminError {
  const details: ValidationIssue[] = issues.map((issue) => ({
    path: [...(options.pathPrefix === undefined ? [] : [options.pathPrefix]), ...issue.path.map(String)].join(
      ".",
    ),
    message: sentence(issue.message),
  }));
  const listed = details.map((issue) => `${issue.path === "" ? "(body)" : issue.path}: ${issue.message}`);
  return new AdminError("TR600", `Invalid ${options.subject ?? "request body"}: ${listed.join("; ")}`, {
    details,
    hint: options.hint,
  });
}

function sentence(message: string): string {
  return message.length === 0 ? "Invalid value" : message[0]!.toUpperCase() + message.slice(1);
}
