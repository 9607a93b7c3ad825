// Supabase Edge Function entry point: reads configuration, builds the gateway, serves it.
import { createGatewayHandlerFromEnv } from "../_shared/gateway/mod.ts";

Deno.serve(await createGatewayHandlerFromEnv(Deno.env, { functionName: "tenant-data" }));
