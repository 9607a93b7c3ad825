// Supabase Edge Function entry point: reads configuration, builds the gateway, serves it.
import { createGatewayHandler } from "../_shared/gateway/mod.ts";

Deno.serve(createGatewayHandler({ functionName: "tenant-data" }));
