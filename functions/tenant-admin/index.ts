// Supabase Edge Function entry point: reads configuration, builds the admin API, serves it.
import { createAdminHandler } from "../_shared/admin/mod.ts";

Deno.serve(createAdminHandler({ functionName: "tenant-admin" }));
