/**
 * Where a server's CPU time goes, read from a V8 CPU profile (the `.cpuprofile` JSON that
 * `deno run --cpu-prof` writes when the process exits): sampled time per request by function (self time),
 * by nearest project frame, by project file, and inclusive per project function. Idle samples are left out
 * everywhere; V8's garbage collector and its own work (`(program)`) are rows of their own. Pure: the parsed
 * profile and a request count in, plain rows out (`bench/profile.ts` runs the servers and prints them).
 *
 * V8 samples the main thread's stack about every millisecond; each sample is a node of the call tree, and
 * `timeDeltas[i]` (µs) is the time since the sample before. That time is charged to `samples[i]`: when the
 * thread was descheduled, the sample taken as it runs again shows where it stopped.
 *
 * Labels are `name path:line`, the path relative to the project root (packages as
 * `node_modules/<package>/…`, wherever the folder lives), the line counted from 1 as editors do.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { PROJECT_ROOT } from "../scripts/stack/profile.ts";

/** Where a node's code is. */
export interface CpuProfileCallFrame {
  functionName: string;
  /** `file:///…`, `ext:…` (Deno's own JavaScript), or empty for V8's states (`(program)`…). */
  url: string;
  /** Counted from 0; -1 for V8's states. */
  lineNumber: number;
}

/** One node of the call tree: a function called from its parent's. */
export interface CpuProfileNode {
  id: number;
  callFrame: CpuProfileCallFrame;
  children?: number[];
}

/** The parts of a `.cpuprofile` the analysis reads. */
export interface CpuProfile {
  nodes: CpuProfileNode[];
  /** µs on a monotonic clock. */
  startTime: number;
  endTime: number;
  /** The node sampled, one per sample. */
  samples: number[];
  /** µs since the sample before (the first: since `startTime`). */
  timeDeltas: number[];
}

/** A span of the profile, in µs since its start. */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

/** Options of the analysis functions. */
export interface ProfileAnalysisOptions {
  /**
   * The folder labels' paths are relative to, whose `functions/`, `scripts/` and `bench/` are the project's
   * code (default: this project's root).
   */
  root?: string;
  /** Only the samples taken in this span (a measured window); all of them without it. */
  window?: ProfileWindow;
}

/** One row of a table: what, its µs per request and its share of the non-idle time. */
export interface TimeRow {
  label: string;
  usPerRequest: number;
  share: number;
}

/** Every table of one profile. */
export interface ProfileSummary {
  requests: number;
  /** Samples counted (inside the window, idle ones included). */
  samples: number;
  /** µs of the profile counted, idle included. */
  spanUs: number;
  nonIdleUsPerRequest: number;
  garbageCollectorUsPerRequest: number;
  programUsPerRequest: number;
  /** Charged to a project frame (the nearest on the stack): the server's own code and what it calls. */
  projectUsPerRequest: number;
  byFunction: TimeRow[];
  byProjectFrame: TimeRow[];
  byProjectFile: TimeRow[];
  inclusive: TimeRow[];
}

/** The project's own code: the gateway's functions, the stack's scripts, the baseline's server. */
const PROJECT_DIRS = ["functions", "scripts", "bench"];
const IDLE = "(idle)";
export const GARBAGE_COLLECTOR = "(garbage collector)";
export const PROGRAM = "(program)";
/** Samples whose stack holds no project frame (Deno's HTTP server, a package's callbacks). */
export const NO_PROJECT_FRAME = "(no project frame)";

/** The profile's call tree with the non-idle time sampled in each node. */
interface SampledTree {
  nodes: Map<number, CpuProfileNode>;
  parents: Map<number, number>;
  /** µs sampled in each node itself (not in what it called), idle nodes left out. */
  selfUs: Map<number, number>;
  nonIdleUs: number;
  samples: number;
  spanUs: number;
  requests: number;
  root: string;
}

/** Every table at once, each cut to its `top` rows. */
export function summarizeProfile(
  profile: CpuProfile,
  requests: number,
  options: ProfileAnalysisOptions & { top?: number } = {},
): ProfileSummary {
  const tree = sampleTree(profile, requests, options);
  const top = (rows: TimeRow[]) => rows.slice(0, options.top ?? rows.length);
  const nearest = byProjectFrame(tree);
  const stateUs = (state: string) => nearest.find((row) => row.label === state)?.usPerRequest ?? 0;
  const projectUs = nearest.filter((row) => !isOwnRow(row.label))
    .reduce((sum, row) => sum + row.usPerRequest, 0);
  return {
    requests,
    samples: tree.samples,
    spanUs: tree.spanUs,
    nonIdleUsPerRequest: tree.nonIdleUs / requests,
    garbageCollectorUsPerRequest: stateUs(GARBAGE_COLLECTOR),
    programUsPerRequest: stateUs(PROGRAM),
    projectUsPerRequest: projectUs,
    byFunction: top(byFunction(tree)),
    byProjectFrame: top(nearest),
    byProjectFile: top(byProjectFile(tree)),
    inclusive: top(inclusive(tree)),
  };
}

/** `name path:line` of a frame; V8's states by name alone. */
export function frameLabel(frame: CpuProfileCallFrame, root: string = PROJECT_ROOT): string {
  const name = frame.functionName || "(anonymous)";
  const file = frameFile(frame.url, root);
  return file === "" ? name : `${name} ${file}:${frame.lineNumber + 1}`;
}

/** The frame's file relative to `root`, packages as `node_modules/…`; other URLs (`ext:…`) unchanged. */
export function frameFile(url: string, root: string = PROJECT_ROOT): string {
  if (!url.startsWith("file://")) return url;
  const path = fileURLToPath(url);
  // node_modules may be a link to another checkout's: the package's path is what identifies it.
  const packages = path.lastIndexOf("/node_modules/");
  if (packages >= 0) return `node_modules/${path.slice(packages + "/node_modules/".length)}`;
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

function sampleTree(profile: CpuProfile, requests: number, options: ProfileAnalysisOptions): SampledTree {
  if (!(requests > 0)) throw new RangeError(`A profile is read per request: ${requests} requests`);
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parents.set(child, node.id);
  }
  const selfUs = new Map<number, number>();
  const window = options.window ?? { fromUs: -Infinity, toUs: Infinity };
  let at = 0;
  let samples = 0;
  let spanUs = 0;
  let nonIdleUs = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < window.fromUs || at >= window.toUs) return;
    samples++;
    spanUs += delta;
    if (nodes.get(id)?.callFrame.functionName === IDLE) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
    nonIdleUs += delta;
  });
  const root = options.root ?? PROJECT_ROOT;
  return { nodes, parents, selfUs, nonIdleUs, samples, spanUs, requests, root };
}

function byFunction(tree: SampledTree): TimeRow[] {
  return rows(tree, (node) => [frameLabel(node.callFrame, tree.root)]);
}

function byProjectFrame(tree: SampledTree): TimeRow[] {
  return rows(tree, (node) => {
    const frame = nearestProjectFrame(tree, node);
    return [frame ? frameLabel(frame.callFrame, tree.root) : ownRow(node)];
  });
}

function byProjectFile(tree: SampledTree): TimeRow[] {
  return rows(tree, (node) => {
    const frame = nearestProjectFrame(tree, node);
    return [frame ? frameFile(frame.callFrame.url, tree.root) : ownRow(node)];
  });
}

function inclusive(tree: SampledTree): TimeRow[] {
  return rows(tree, (node) => {
    const labels = new Set<string>();
    for (const frame of stack(tree, node)) {
      if (isProjectFrame(frame, tree.root)) labels.add(frameLabel(frame.callFrame, tree.root));
    }
    return [...labels];
  });
}

/** Sums each node's self time under the labels `labelsOf` gives it, largest first. */
function rows(tree: SampledTree, labelsOf: (node: CpuProfileNode) => string[]): TimeRow[] {
  const totals = new Map<string, number>();
  for (const [id, us] of tree.selfUs) {
    const node = tree.nodes.get(id);
    if (!node) continue;
    for (const label of labelsOf(node)) totals.set(label, (totals.get(label) ?? 0) + us);
  }
  return [...totals]
    .map(([label, us]) => ({
      label,
      usPerRequest: us / tree.requests,
      share: tree.nonIdleUs > 0 ? us / tree.nonIdleUs : 0,
    }))
    .sort((a, b) => b.usPerRequest - a.usPerRequest || a.label.localeCompare(b.label));
}

/** The node, then its callers up to the root. */
function* stack(tree: SampledTree, node: CpuProfileNode): Generator<CpuProfileNode> {
  for (let current: CpuProfileNode | undefined = node; current;) {
    yield current;
    const parent = tree.parents.get(current.id);
    current = parent === undefined ? undefined : tree.nodes.get(parent);
  }
}

function nearestProjectFrame(tree: SampledTree, node: CpuProfileNode): CpuProfileNode | undefined {
  for (const frame of stack(tree, node)) {
    if (isProjectFrame(frame, tree.root)) return frame;
  }
  return undefined;
}

function isProjectFrame(node: CpuProfileNode, root: string): boolean {
  if (!node.callFrame.url.startsWith("file://")) return false;
  const file = frameFile(node.callFrame.url, root);
  return PROJECT_DIRS.some((dir) => file.startsWith(`${dir}/`));
}

/** The row of a sample without a project frame: V8's state, or {@linkcode NO_PROJECT_FRAME}. */
function ownRow(node: CpuProfileNode): string {
  const name = node.callFrame.functionName;
  return name === GARBAGE_COLLECTOR || name === PROGRAM ? name : NO_PROJECT_FRAME;
}

function isOwnRow(label: string): boolean {
  return label === GARBAGE_COLLECTOR || label === PROGRAM || label === NO_PROJECT_FRAME;
}
