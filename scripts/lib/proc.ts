// The one process runner of scripts/ (terraform, git, tar, gpg, node): spawnSync for a step that
// blocks, spawn in a process group of its own where this process must keep serving (the AWS stub of
// an offline plan), and a way to stop those groups on a signal.
import { ChildProcess, spawn, spawnSync } from "child_process";

/** How a process is run. */
export interface ProcessOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Its standard input. */
  readonly input?: string | Buffer;
  /** Killed (SIGTERM) after this long. */
  readonly timeoutMs?: number;
  /** @default 256 MiB */
  readonly maxBuffer?: number;
  /** Its output goes to this process's stdout and stderr (stdout and stderr are then empty). @default false */
  readonly inherit?: boolean;
}

/** What a process did: its exit status (null: killed by `signal`), its output, or why it did not start. */
export interface ProcessResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** It could not start (`code` ENOENT: not on PATH), or timed out (ETIMEDOUT). */
  readonly error?: NodeJS.ErrnoException;
}

/** Runs a command to its end, without a shell. */
export function runProcess(command: string, args: readonly string[], options: ProcessOptions = {}): ProcessResult {
  const run = spawnSync(command, [...args], {
    cwd: options.cwd,
    env: options.env,
    input: options.input,
    timeout: options.timeoutMs,
    maxBuffer: options.maxBuffer ?? 256 * 1024 * 1024,
    encoding: "utf8",
    stdio: options.inherit ? ["ignore", "inherit", "inherit"] : "pipe",
  });
  return {
    status: run.status,
    signal: run.signal,
    stdout: run.stdout ?? "",
    stderr: run.stderr ?? "",
    ...(run.error ? { error: run.error as NodeJS.ErrnoException } : {}),
  };
}

/** `exit 3`, `killed by SIGTERM`, `timed out after 60 s`, `could not run: <why>`. */
export function outcomeOf(result: ProcessResult, timeoutMs?: number): string {
  if (result.error?.code === "ETIMEDOUT") return `timed out after ${(timeoutMs ?? 0) / 1000} s`;
  if (result.error) return `could not run: ${result.error.message}`;
  return result.status === null ? `killed by ${result.signal}` : `exit ${result.status}`;
}

/** The processes of {@link runProcessAsync} still running. */
const running = new Set<ChildProcess>();

/** Sends `signal` to a child's process group (the child and what it started, e.g. terraform's provider). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

/**
 * Stops every process of {@link runProcessAsync} still running, with what they started (their
 * process groups get `signal`); returns how many there were. For a command's SIGINT/SIGTERM
 * handler: without it, terraform and its provider (about 400 MB each) outlive the command.
 */
export function stopProcesses(signal: NodeJS.Signals = "SIGKILL"): number {
  const count = running.size;
  for (const child of running) signalGroup(child, signal);
  return count;
}

/**
 * Runs a command in a process group of its own without blocking the event loop. Rejects when it
 * cannot start, exceeds `timeoutMs` (SIGTERM to its group, SIGKILL 10 s later) or is killed; a
 * non-zero exit is resolved.
 */
export function runProcessAsync(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ProcessResult & { status: number }> {
  const shown = `${command} ${args.join(" ")} (in ${options.cwd})`;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    running.add(child);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      signalGroup(child, "SIGTERM");
      killTimer = setTimeout(() => signalGroup(child, "SIGKILL"), 10_000);
    }, options.timeoutMs);
    const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString("utf8");
    const output = () => `\n--- stderr ---\n${text(stderr)}\n--- stdout ---\n${text(stdout)}`;
    const done = () => {
      running.delete(child);
      clearTimeout(timer);
      clearTimeout(killTimer);
    };
    child.on("error", (error) => {
      done();
      reject(new Error(`${shown} failed to run: ${error.message}${output()}`));
    });
    child.on("close", (status, signal) => {
      done();
      if (timedOut) reject(new Error(`${shown} timed out after ${options.timeoutMs / 1000} s${output()}`));
      else if (status === null) reject(new Error(`${shown} was killed by ${signal}${output()}`));
      else resolvePromise({ status, signal: null, stdout: text(stdout), stderr: text(stderr) });
    });
  });
}
