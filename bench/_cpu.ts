/**
 * CPU time of processes from `/proc` (Linux), so the benchmark can report CPU per request: on a small
 * machine throughput is bounded by how much CPU each request costs the server, the database and the client.
 *
 * @module
 */

/** Clock ticks per second of `/proc/<pid>/stat` (`getconf CLK_TCK`, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU time of one process, in milliseconds; `0` when it is gone or `/proc` is missing. */
export function processCpuMs(pid: number): number {
  const fields = statFields(pid);
  if (fields === undefined) return 0;
  // After the command: state(0) ppid(1) … utime(11) stime(12).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** CPU time of a process and all its descendants that are alive now (a postmaster and its backends). */
export function treeCpuMs(rootPid: number): number {
  const children = new Map<number, number[]>();
  let entries: Iterable<Deno.DirEntry>;
  try {
    entries = Deno.readDirSync("/proc");
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid)) continue;
    const ppid = Number(statFields(pid)?.[1]);
    if (!Number.isInteger(ppid)) continue;
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  let total = 0;
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop() as number;
    total += processCpuMs(pid);
    pending.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Fields of `/proc/<pid>/stat` after the parenthesised command name (which may contain spaces). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}
