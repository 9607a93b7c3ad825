/**
 * Runs the stack's external programs (initdb, pg_ctl, psql, the Supabase CLI, apt-get).
 *
 * @module
 */

/** Options of {@linkcode runCommand}. */
export interface RunCommandOptions {
  /** Run as the `postgres` OS user (PostgreSQL refuses to run as root). */
  asPostgres?: boolean;
  env?: Record<string, string>;
  cwd?: string;
  /** Text written to the program's standard input. */
  stdin?: string;
}

/** What a finished program left. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** True when this process runs as root. */
export function isRoot(): boolean {
  return Deno.uid() === 0;
}

/**
 * Runs a program to completion and captures its output; never throws for a non-zero exit.
 *
 * @example
 * ```ts
 * const { code } = await runCommand("pg_ctl", ["-D", dir, "status"], { asPostgres: true });
 * ```
 */
export async function runCommand(
  program: string,
  args: string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  const asPostgres = options.asPostgres && isRoot();
  const [cmd, cmdArgs] = asPostgres
    ? ["runuser", ["-u", "postgres", "--", program, ...args]]
    : [program, args];
  // The postgres user may not be allowed into the current folder (a checkout under /root): start it in /.
  const cwd = options.cwd ?? (asPostgres ? "/" : undefined);
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(cmd, {
      args: cmdArgs,
      ...(cwd ? { cwd } : {}),
      ...(options.env ? { env: options.env } : {}),
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { code: 127, stdout: "", stderr: `${cmd}: not found` };
    throw error;
  }
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/** Runs a program and throws with its output when it fails. */
export async function mustRun(
  program: string,
  args: string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  const result = await runCommand(program, args, options);
  if (result.code !== 0) {
    const output = (result.stderr || result.stdout).trim().split("\n").slice(-15).join("\n");
    throw new Error(`${program} exited with ${result.code}:\n${output}`);
  }
  return result;
}

/** True when a file or folder exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
