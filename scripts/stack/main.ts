/**
 * The local stack's command line: `npm start | stop | status | db:reset` (see README.md).
 *
 * @module
 */
import { defineCommand, runMain } from "citty";
import { startFunctions, stopFunctions } from "./functions_process.ts";
import { stackProfile } from "./profile.ts";
import { loadSecrets } from "./secrets.ts";
import { resetStack, startDatabase, startStack, stopStack } from "./stack.ts";
import { formatStatus, stackStatus } from "./status.ts";

const profile = stackProfile("dev");

/** A failure prints its message (what went wrong, what to do), not a stack trace, and exits 1. */
function plainErrors<T>(run: (context: T) => Promise<void>): (context: T) => Promise<void> {
  return async (context) => {
    try {
      await run(context);
    } catch (error) {
      console.error(error instanceof Error ? error.message : String(error));
      Deno.exit(1);
    }
  };
}

async function printStatus(json: boolean): Promise<void> {
  const status = await stackStatus(profile, await loadSecrets(profile));
  console.log(json ? JSON.stringify(status, null, 2) : formatStatus(status));
}

const start = defineCommand({
  meta: {
    description: "Install what is missing, initialise on first run, start the stack, print its status",
  },
  run: plainErrors(async () => {
    await startStack(profile);
    await printStatus(false);
  }),
});

const stop = defineCommand({
  meta: { description: "Stop the functions server and PostgreSQL (data stays under .local/)" },
  run: plainErrors(async () => {
    await stopStack(profile);
    console.log("Stopped.");
  }),
});

const status = defineCommand({
  meta: { description: "Print URLs, keys, databases, tenants and their data sources" },
  args: { json: { type: "boolean", description: "Print one JSON object" } },
  run: plainErrors(async ({ args }) => {
    await printStatus(Boolean(args.json));
  }),
});

const dbReset = defineCommand({
  meta: { description: "Re-apply migrations and seed to every local database (supabase db reset --db-url)" },
  run: plainErrors(async () => {
    await stopFunctions(profile);
    const stack = await startDatabase(profile);
    await resetStack(stack);
    await startFunctions(profile, stack.secrets);
    console.log("Databases reset: migrations and seed applied.");
  }),
});

await runMain(defineCommand({
  meta: { name: "stack", description: "The Tenant Router local stack" },
  subCommands: { start, stop, status, "db-reset": dbReset },
}));
