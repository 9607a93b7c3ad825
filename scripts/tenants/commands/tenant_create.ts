/**
 * `tenant create`.
 *
 * @module
 */
import { defineCommand } from "citty";
import { createTenant, schemas, withClaims } from "../../../functions/_shared/control_plane/mod.ts";
import { DB_URL_ARG, JSON_ARG } from "../args.ts";
import { withContext } from "../context.ts";
import { printJson, renderRecord } from "../output.ts";
import { validateArgs } from "../validate_args.ts";

/** `npm run tenants -- tenant create --slug <slug> --name <name> [--data-source <name>] [--owner-email <email>]` */
export const tenantCreateCommand = defineCommand({
  meta: { name: "tenants tenant create", description: "Create a tenant" },
  args: {
    slug: {
      type: "string",
      required: true,
      description: "URL-safe handle (a-z 0-9 -, 3-63)",
      valueHint: "slug",
    },
    name: { type: "string", required: true, description: "Display name", valueHint: "name" },
    "data-source": {
      type: "string",
      description: "Data source name (default: the default one)",
      valueHint: "name",
    },
    "owner-email": {
      type: "string",
      description: "Make this existing user the first owner",
      valueHint: "email",
    },
    ...JSON_ARG,
    ...DB_URL_ARG,
  },
  async run({ args }) {
    const input = validateArgs(schemas.CreateTenantBody, {
      slug: args.slug,
      name: args.name,
      ...(args["data-source"] === undefined || args["data-source"] === "default"
        ? {}
        : { data_source: args["data-source"] }),
      ...(args["owner-email"] === undefined ? {} : { owner_email: args["owner-email"] }),
    }, { slug: "--slug", name: "--name", data_source: "--data-source", owner_email: "--owner-email" });
    await withContext({ dbUrl: args["db-url"] }, async (context) => {
      const tenant = await withClaims(context.sql, context.claims, (tx) => createTenant(tx, input));
      if (args.json) printJson(tenant);
      else console.log(renderRecord({ ...tenant }));
    });
  },
});
