/**
 * Validating command-line input with the admin API's zod schemas, reporting the flags by name.
 *
 * @module
 */
import type { z } from "zod";
import { AdminError, validate } from "../../functions/_shared/control_plane/mod.ts";
import { UsageError } from "./usage_error.ts";

/**
 * Parses `value` with `schema`; a failure becomes a {@linkcode UsageError} (exit 2) naming each bad
 * field by its flag (`flags` maps body paths such as `credentials.url` to `--url`).
 *
 * @example
 * ```ts
 * const input = validateArgs(schemas.CreateTenantBody, { slug: args.slug, name: args.name }, { slug: "--slug" });
 * ```
 */
export function validateArgs<S extends z.ZodType>(
  schema: S,
  value: unknown,
  flags: Record<string, string>,
): z.output<S> {
  try {
    return validate(schema, value, { subject: "arguments" });
  } catch (error) {
    if (!(error instanceof AdminError) || !Array.isArray(error.details)) throw error;
    const problems = error.details.map((issue) =>
      `${flags[issue.path] ?? (issue.path || "arguments")}: ${issue.message}`
    );
    throw new UsageError(`Invalid arguments: ${problems.join("; ")}`);
  }
}
