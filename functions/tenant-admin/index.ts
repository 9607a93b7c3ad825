// Supabase Edge Function entry point: reads configuration, builds the admin API, serves it.
import { createAdminHandlerFromEnv } from "../_shared/admin/mod.ts";

Deno.serve(await createAdminHandlerFromEnv(Deno.env, { functionName: "tenant-admin" }));
