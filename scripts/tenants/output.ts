/**
 * What the CLI prints: JSON for `--json`, plain cli-table3 tables for people.
 *
 * @module
 */
import Table from "cli-table3";

/** Prints `value` as indented JSON on standard output (dates as ISO strings). */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/**
 * Renders rows as a table without colours (output stays the same in pipes and logs).
 *
 * @example
 * ```ts
 * console.log(renderTable(["tenant", "data source"], [["acme", "tenant_acme"]]));
 * ```
 */
export function renderTable(head: string[], rows: unknown[][]): string {
  const table = new Table({ head, style: { head: [], border: [] } });
  table.push(...rows.map((row) => row.map(cell)));
  return table.toString();
}

/** Renders one object as a two-column `field | value` table. */
export function renderRecord(record: Record<string, unknown>): string {
  const table = new Table({ style: { head: [], border: [] } });
  for (const [key, value] of Object.entries(record)) table.push([key, cell(value)]);
  return table.toString();
}

/** A table cell: `-` for nothing, ISO dates, yes/no, JSON for the rest. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) return value.map(cell).join("\n");
  return JSON.stringify(value);
}
