/**
 * `deno run -A bench/heap_summary.ts <before.heapsnapshot> <after.heapsnapshot> [--top 30]`: what grew in a
 * V8 heap between two snapshots (as `npm run bench:scale -- --heap-snapshots` writes them): the objects'
 * own sizes summed by kind and constructor (or string, code, array…), the largest differences first.
 * Own sizes, not retained sizes: what holds the memory is in the kinds that grew (a cache's entries show
 * as their classes and the strings and arrays they hold).
 *
 * @module
 */
import { parseArgs } from "node:util";

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Bytes and objects by `kind name`. */
export type HeapGroups = Map<string, { bytes: number; count: number }>;

/** Sums the snapshot's objects' own sizes by kind and name (strings, code and arrays by kind alone). */
export function groupHeap(snapshot: HeapSnapshot): HeapGroups {
  const fields = snapshot.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf("type");
  const nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  const types = snapshot.snapshot.meta.node_types[0];
  const groups: HeapGroups = new Map();
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt]!] ?? "?";
    const named = type === "object" || type === "closure" || type === "native";
    const key = named ? `${type} ${snapshot.strings[snapshot.nodes[i + nameAt]!]}` : type;
    const group = groups.get(key) ?? { bytes: 0, count: 0 };
    group.bytes += snapshot.nodes[i + sizeAt]!;
    group.count++;
    groups.set(key, group);
  }
  return groups;
}

async function read(path: string): Promise<HeapGroups> {
  return groupHeap(JSON.parse(await Deno.readTextFile(path)) as HeapSnapshot);
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { top: { type: "string", default: "30" } },
    allowPositionals: true,
  });
  const [beforePath, afterPath] = positionals;
  if (beforePath === undefined || afterPath === undefined) {
    console.error("Usage: heap_summary.ts <before.heapsnapshot> <after.heapsnapshot> [--top 30]");
    Deno.exit(2);
  }
  const before = await read(beforePath);
  const after = await read(afterPath);
  const total = (groups: HeapGroups) => [...groups.values()].reduce((sum, g) => sum + g.bytes, 0);
  const mib = (bytes: number) => (bytes / 1_048_576).toFixed(2).padStart(8);
  console.log(`heap: ${mib(total(before))} MiB → ${mib(total(after))} MiB`);
  const rows = [...new Set([...before.keys(), ...after.keys()])].map((key) => {
    const b = before.get(key) ?? { bytes: 0, count: 0 };
    const a = after.get(key) ?? { bytes: 0, count: 0 };
    return { key, before: b, after: a, delta: a.bytes - b.bytes };
  }).sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta));
  for (const row of rows.slice(0, Number(values.top))) {
    console.log(
      `${mib(row.delta)} MiB  ${mib(row.before.bytes)} → ${mib(row.after.bytes)} MiB  ${
        String(row.before.count).padStart(8)
      } → ${String(row.after.count).padStart(8)}  ${row.key.slice(0, 80)}`,
    );
  }
}
