// One run of the stand-in JVM (stand-in/Launcher.java): spawn, wait for its READY line, stop. The supervisor in
// embedded-mongo.ts decides when to start another one.
import { spawn, type ChildProcess } from 'node:child_process';

const READY_RE = /^SWITCHBOARD_MONGO_READY port=(\d+)$/;
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
export const STDERR_TAIL_LINES = 40;

export interface StandInExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StandInProcess {
  port: number;
  pid: number;
  /** Settles when the JVM has exited and its output is drained, however that happened. */
  exited: Promise<StandInExit>;
  /** SIGTERM (the launcher's shutdown hook closes the H2 store), SIGKILL after a grace period. */
  terminate(): Promise<void>;
}

export interface LaunchOptions {
  javaBin: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Written as the first stdin line (the launcher's `--auth` credentials); stdin then stays open. */
  firstLine?: string;
  log?: ((line: string) => void) | undefined;
}

export async function launchStandIn(opts: LaunchOptions): Promise<StandInProcess> {
  // stdin stays a pipe we never close: the launcher exits when it reaches EOF, i.e. when this process dies.
  const child = spawn(opts.javaBin, opts.args, { env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
  const stderrTail: string[] = [];
  const log = opts.log;
  // 'close', not 'exit': it waits for stdio to drain, so the tail holds the JVM's last words.
  const exited = new Promise<StandInExit>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));

  let onReady: ((port: number) => void) | undefined;
  const ready = new Promise<number>((resolve) => (onReady = resolve));

  // Both streams are drained for the JVM's whole life: a full pipe would block its logging threads.
  forEachLine(child.stdout!, (line) => {
    const match = READY_RE.exec(line);
    if (match && onReady) {
      onReady(Number(match[1]));
      onReady = undefined;
    } else {
      log?.(line);
    }
  });
  forEachLine(child.stderr!, (line) => {
    stderrTail.push(line);
    if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
    log?.(line);
  });
  // An EPIPE after the JVM exits must not become an uncaught exception.
  child.stdin!.on('error', () => undefined);
  if (opts.firstLine !== undefined) child.stdin!.write(`${opts.firstLine}\n`);

  const failure = new Promise<never>((_, reject) => {
    child.once('error', reject);
    void exited.then(({ code, signal }) =>
      reject(new Error(`The embedded MongoDB stand-in exited before it was ready (${signal ?? `exit code ${code}`}).\n${stderrTail.join('\n')}`)),
    );
  });
  failure.catch(() => undefined);

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`The embedded MongoDB stand-in printed no ready line within ${READY_TIMEOUT_MS / 1000} s.\n${stderrTail.join('\n')}`)),
      READY_TIMEOUT_MS,
    );
  });

  const terminate = () => stopChild(child, exited);
  try {
    const port = await Promise.race([ready, failure, timeout]);
    return { port, pid: child.pid!, exited, terminate };
  } catch (err) {
    await terminate();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

async function stopChild(child: ChildProcess, exited: Promise<StandInExit>): Promise<void> {
  if (child.pid === undefined) return;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    try {
      await exited;
    } finally {
      clearTimeout(killer);
    }
    return;
  }
  await exited;
}

export function forEachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      onLine(buffered.slice(0, newline).replace(/\r$/, ''));
      buffered = buffered.slice(newline + 1);
    }
  });
  stream.on('end', () => {
    if (buffered) onLine(buffered);
    buffered = '';
  });
}
