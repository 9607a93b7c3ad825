/**
 * The admin API's middleware, as factories returning a named inner function: authentication, the
 * platform-caller guard and zod validation of JSON bodies (required or optional).
 *
 * @module
 */
import { zValidator } from "@hono/zod-validator";
import type { Context, MiddlewareHandler, Next } from "hono";
import type { z } from "zod";
import type { JwtVerifier } from "../auth/mod.ts";
import { AdminError, validate, validationError } from "../control_plane/mod.ts";
import { authenticateCaller, isPlatformCaller } from "./caller.ts";
import type { AdminEnv } from "./routes/_env.ts";

/** Verifies the bearer token and stores the caller for the routes. */
export function authenticate(verifier: JwtVerifier): MiddlewareHandler<AdminEnv> {
  return async function authenticateRequest(c: Context<AdminEnv>, next: Next) {
    c.set("caller", await authenticateCaller(c.req.raw.headers, verifier));
    await next();
  };
}

/** Admits only the service role and platform admins (`TR610` otherwise). */
export function platformOnly(): MiddlewareHandler<AdminEnv> {
  return async function requirePlatformCaller(c: Context<AdminEnv>, next: Next) {
    if (!isPlatformCaller(c.get("caller"))) {
      throw new AdminError("TR610", undefined, {
        hint: "Use the service_role key, or a user whose app_metadata.platform_admin is true",
      });
    }
    await next();
  };
}

/**
 * Validates the JSON body with `schema`: `TR600` with the path of every bad field, or `TR601` for
 * unparsable JSON (raised by Hono's validator as an `HTTPException`, translated by the error handler).
 */
export function jsonBody<S extends z.ZodType>(schema: S) {
  return zValidator("json", schema, function rejectInvalidBody(result, c) {
    if (result.success) return;
    const type = c.req.header("content-type") ?? "";
    const hint = /^application\/([\w.-]+\+)?json/i.test(type)
      ? undefined
      : "Send the body as JSON with Content-Type: application/json";
    throw validationError(result.error.issues, { hint });
  });
}

/**
 * The body of a route whose body is optional, validated with `schema` (an empty body counts as `{}`):
 * `TR601` when it does not parse, `TR600` when it does not fit.
 */
export async function optionalJsonBody<S extends z.ZodType>(
  request: Request,
  schema: S,
): Promise<z.infer<S>> {
  const text = await request.text();
  let json: unknown = {};
  try {
    if (text.trim() !== "") json = JSON.parse(text);
  } catch {
    throw new AdminError("TR601", undefined, { hint: "Send a JSON object, or no body" });
  }
  return validate(schema, json, { subject: "body" });
}
