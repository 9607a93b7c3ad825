/**
 * `tenant list`.
 *
 * @module
 */
import { defineCommand } from "citty";
import {
  listTenantPage,
  listTenants,
  MAX_TENANT_PAGE_SIZE,
  type TenantView,
} from "../../../functions/_shared/control_plane/mod.ts";
import { DB_URL_ARG, JSON_ARG } from "../args.ts";
import { withContext } from "../context.ts";
import { printJson, renderTable } from "../output.ts";
import { UsageError } from "../usage_error.ts";

/**
 * `npm run tenants -- tenant list [--limit N] [--cursor C] [--json]`
 *
 * Without `--limit` and `--cursor`: every tenant (read a page at a time), `--json` an array as always.
 * With either: one page (default 100 tenants); `--json` prints `{ tenants, next_cursor }`, the table ends
 * with the command for the next page.
 */
export const tenantListCommand = defineCommand({
  meta: { name: "tenants tenant list", description: "List tenants and where their rows live" },
  args: {
    limit: {
      type: "string",
      description: `One page of at most this many tenants (1–${MAX_TENANT_PAGE_SIZE}; default: every tenant)`,
      valueHint: "n",
    },
    cursor: {
      type: "string",
      description: "Start after the page that printed this cursor (its next_cursor)",
      valueHint: "cursor",
    },
    ...JSON_ARG,
    ...DB_URL_ARG,
  },
  async run({ args }) {
    const limit = args.limit === undefined ? undefined : pageSize(args.limit);
    const paged = limit !== undefined || args.cursor !== undefined;
    await withContext({ dbUrl: args["db-url"] }, async (context) => {
      if (!paged) {
        const tenants = await listTenants(context.sql);
        return args.json ? printJson(tenants) : console.log(table(tenants));
      }
      const page = await listTenantPage(context.sql, { limit, cursor: args.cursor });
      if (args.json) return printJson({ tenants: page.tenants, next_cursor: page.nextCursor });
      console.log(table(page.tenants));
      if (page.nextCursor !== null) {
        const limitFlag = limit === undefined ? "" : ` --limit ${limit}`;
        console.log(`Next page: npm run tenants -- tenant list${limitFlag} --cursor ${page.nextCursor}`);
      }
    });
  },
});

function pageSize(value: string): number {
  const n = /^[0-9]{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_TENANT_PAGE_SIZE)) {
    throw new UsageError(`Invalid arguments: --limit: expected an integer from 1 to ${MAX_TENANT_PAGE_SIZE}`);
  }
  return n;
}

function table(tenants: TenantView[]): string {
  return renderTable(
    ["tenant", "name", "status", "data source", "members"],
    tenants.map((t) => [
      t.slug,
      t.name,
      t.status,
      t.uses_default ? `default (${t.data_source ?? "none"})` : t.data_source,
      t.member_count,
    ]),
  );
}
