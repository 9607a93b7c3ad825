/**
 * Testing a data source: decrypt its credentials, connect, read the tenant-schema version.
 *
 * @module
 */
import type postgres from "postgres";
import type { Keyring } from "../crypto/mod.ts";
import {
  type DataSourceCredentials,
  probeDataSource,
  type ProbeOptions,
  type ProbeResult,
} from "../data_sources/mod.ts";
import { type ActorClaims, withClaims } from "./with_claims.ts";
import { type DataSourceRow, findDataSource } from "./find_data_source.ts";
import { openDataSource } from "./open_data_source.ts";

/** The probe the operations use: {@linkcode probeDataSource}, or a stand-in in tests. */
export type ProbeFunction = (
  credentials: DataSourceCredentials,
  options?: ProbeOptions,
) => Promise<ProbeResult>;

/** Options of {@linkcode testDataSource}. */
export interface TestDataSourceOptions {
  keyring: Keyring;
  /** The data source's name, id or `default`. */
  ref: string;
  /** The newest tenant-db migration version, when known: `current` compares with it. */
  expectedSchemaVersion?: string | undefined;
  /** Recorded as the actor when the stored schema version is updated. */
  claims: ActorClaims;
  /** Default {@linkcode probeDataSource}. */
  probe?: ProbeFunction | undefined;
  /** Default 5 seconds. */
  timeoutMs?: number | undefined;
}

/** What {@linkcode testDataSource} found. Never a secret. */
export interface DataSourceTestResult {
  data_source: string;
  kind: string;
  /** Whether the stored credentials decrypted for their row. */
  decrypted: boolean;
  ok: boolean;
  latency_ms: number | null;
  schema_version: string | null;
  expected_schema_version: string | null;
  current: boolean | null;
  error: string | null;
}

/**
 * Probes one data source and records the schema version it reports in
 * `private.data_sources.schema_version` (informational). Credentials that do not open (missing key,
 * tampered or copied ciphertext) are a failed test, not an exception.
 *
 * @throws {AdminError} `TR622` when the data source does not exist.
 *
 * @example
 * ```ts
 * const result = await testDataSource(sql, { keyring, ref: "tenant_acme", claims });
 * if (!result.ok) console.error(result.error);
 * ```
 */
export async function testDataSource(
  sql: postgres.Sql,
  options: TestDataSourceOptions,
): Promise<DataSourceTestResult> {
  const row = await findDataSource(sql, options.ref);
  const result = await probeRow(row, options);
  if (result.schema_version !== null && result.schema_version !== row.schema_version) {
    await withClaims(sql, options.claims, async (tx) => {
      await tx`update private.data_sources set schema_version = ${result.schema_version} where id = ${row.id}`;
    });
  }
  return result;
}

/** Probes a row already read (shared with `check`). */
export async function probeRow(
  row: DataSourceRow,
  options: Pick<TestDataSourceOptions, "keyring" | "expectedSchemaVersion" | "probe" | "timeoutMs">,
): Promise<DataSourceTestResult> {
  const base = {
    data_source: row.name,
    kind: row.kind,
    expected_schema_version: options.expectedSchemaVersion ?? null,
  };
  const opened = await openDataSource(options.keyring, row);
  if (!opened.ok) {
    return {
      ...base,
      decrypted: false,
      ok: false,
      latency_ms: null,
      schema_version: null,
      current: null,
      error: opened.error,
    };
  }
  const probe = options.probe ?? probeDataSource;
  const probed = await probe(opened.credentials, {
    ...(options.expectedSchemaVersion === undefined
      ? {}
      : { expectedSchemaVersion: options.expectedSchemaVersion }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  return {
    ...base,
    decrypted: true,
    ok: probed.ok,
    latency_ms: probed.latencyMs,
    schema_version: probed.schemaVersion,
    current: probed.current,
    error: probed.error,
  };
}
