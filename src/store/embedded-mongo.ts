// Starts the MongoDB-compatible stand-in (mongo-java-server, see stand-in/Launcher.java) when no real MongoDB is
// configured. No mongod can be installed where tests and the quickstart run, and mongodb-memory-server would
// download one at run time; a JVM plus jars from Maven Central is what these machines do have.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

import { launchStandIn, STDERR_TAIL_LINES, type StandInExit, type StandInProcess } from './stand-in-process';

export interface StandInExitEvent extends StandInExit {
  /** When the next start is tried; undefined when the handle does not restart (`restart: false`). */
  restartInMs: number | undefined;
}

export interface StandInEvents {
  /** The JVM died without being asked to (killed, out of memory, disk refused a write). */
  exit: [StandInExitEvent];
  /** A restart attempt failed too; the next one is in `restartInMs`. */
  'restart-failed': [{ error: Error; restartInMs: number }];
  /** A new JVM answers on the same port, on the same H2 file. */
  restart: [{ port: number; pid: number }];
}

/** The running stand-in. It restarts itself when the JVM dies, so `uri` stays valid for the handle's life. */
export interface EmbeddedMongo extends EventEmitter<StandInEvents> {
  /** With the credentials the JVM requires of every connection. */
  uri: string;
  port: number;
  /** The current JVM's pid. */
  readonly pid: number;
  stop(): Promise<void>;
}

export interface RestartPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** A JVM that ran this long before dying starts the back-off over. */
  stableAfterMs: number;
}

export interface EmbeddedMongoOptions {
  /** Persist to this H2 MVStore file; omitted means in memory, gone at stop(). */
  h2File?: string;
  /** Needed for change streams. */
  oplog?: boolean;
  cacheDir?: string;
  /** Receives the JVM's stderr (and any stray stdout) line by line. */
  log?: (line: string) => void;
  /** Fixed port; 0 or omitted picks a free one. */
  port?: number;
  /** Defaults to `java`, looked up on the PATH of `env`. */
  javaBin?: string;
  /** Environment for the JVM (and for the PATH lookup of `javaBin`); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Back-off for restarting a JVM that died; `false`: do not restart (the handle reports the exit and stays down). */
  restart?: Partial<RestartPolicy> | false;
}

const DEFAULT_RESTART: RestartPolicy = { initialDelayMs: 500, maxDelayMs: 30_000, stableAfterMs: 60_000 };
/** The one user the launcher accepts (SCRAM-SHA-256), with a password made per handle. */
const STAND_IN_USER = 'switchboard';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const STAND_IN_DIR = path.join(__dirname, 'stand-in');
const POM = path.join(STAND_IN_DIR, 'pom.xml');
const LAUNCHER = path.join(STAND_IN_DIR, 'Launcher.java');
const DEFAULT_CACHE_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'switchboard-mongo');

const MIN_JAVA_MAJOR = 17;

// Serial GC and a small initial heap: the stand-in is a single small process sharing two cores with jest
// workers, and the default G1 sizing buys it nothing.
const JVM_FLAGS = ['-XX:+UseSerialGC', '-Xms256m', '-Xmn128m', '-Xss512k'];

const REAL_MONGO_HINT =
  'Alternatively set MONGODB_URI=mongodb://... to a real MongoDB (a replica set or Atlas) and no stand-in is started.';

export class JavaMissingError extends Error {
  constructor(detail: string) {
    super(
      `Java ${MIN_JAVA_MAJOR}+ is needed for the embedded MongoDB stand-in (the embedded store), but ${detail}. ` +
        `Install a JDK ${MIN_JAVA_MAJOR}+ (Debian: apt-get install openjdk-17-jdk-headless). ${REAL_MONGO_HINT}`,
    );
    this.name = 'JavaMissingError';
  }
}

export class MavenMissingError extends Error {
  constructor(detail: string) {
    super(
      `Maven is needed once to download the embedded MongoDB stand-in's jars, but ${detail}. ` +
        `Install Maven 3.8+ (Debian: apt-get install maven) and run scripts/prepare-stand-in.sh. ${REAL_MONGO_HINT}`,
    );
    this.name = 'MavenMissingError';
  }
}

// One resolution per process and cache file: jest's global setup and an app start in the same process must not
// run mvn twice side by side.
const resolving = new Map<string, Promise<string>>();

export async function resolveStandInClasspath(cacheDir: string = DEFAULT_CACHE_DIR): Promise<string> {
  const pomHash = createHash('sha256')
    .update(await readFile(POM))
    .digest('hex')
    .slice(0, 16);
  const cacheFile = path.join(path.resolve(cacheDir), `classpath-${pomHash}.txt`);
  let pending = resolving.get(cacheFile);
  if (!pending) {
    pending = resolveUncached(cacheFile).finally(() => resolving.delete(cacheFile));
    resolving.set(cacheFile, pending);
  }
  return pending;
}

async function resolveUncached(cacheFile: string): Promise<string> {
  const cached = await readCachedClasspath(cacheFile);
  if (cached) return cached;

  await mkdir(path.dirname(cacheFile), { recursive: true });
  // Written beside the final name and renamed, so a concurrent process (CI prepare step, another jest run)
  // never reads a half-written file.
  const tmpFile = `${cacheFile}.${process.pid}.${Date.now()}.tmp`;
  try {
    const result = await run('mvn', ['-q', '-B', '-f', POM, 'dependency:build-classpath', `-Dmdep.outputFile=${tmpFile}`], {
      cwd: STAND_IN_DIR,
      env: process.env,
    });
    if (result.spawnError) {
      if (result.spawnError.code === 'ENOENT') throw new MavenMissingError('`mvn` was not found on PATH');
      throw new MavenMissingError(`\`mvn\` could not be started: ${result.spawnError.message}`);
    }
    if (result.code !== 0) {
      throw new Error(
        `mvn dependency:build-classpath failed (exit ${result.code}) for ${POM}. ` +
          `The first run downloads from Maven Central; check network access or ~/.m2/settings.xml.\n` +
          tail(result.output, STDERR_TAIL_LINES).join('\n'),
      );
    }
    const classpath = (await readFile(tmpFile, 'utf8')).trim();
    if (!classpath) throw new Error(`mvn wrote an empty classpath for ${POM}`);
    await rename(tmpFile, cacheFile);
    return classpath;
  } finally {
    await rm(tmpFile, { force: true });
  }
}

async function readCachedClasspath(cacheFile: string): Promise<string | undefined> {
  let text: string;
  try {
    text = (await readFile(cacheFile, 'utf8')).trim();
  } catch {
    return undefined;
  }
  const jars = text.split(path.delimiter).filter(Boolean);
  // A cleaned ~/.m2 leaves a cache that points nowhere; resolving again repairs it.
  if (jars.length === 0 || !jars.every((jar) => existsSync(jar))) return undefined;
  return text;
}

export async function startEmbeddedMongo(opts: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  const javaBin = opts.javaBin ?? 'java';
  const env = opts.env ?? process.env;
  // Checked before mvn: Maven itself runs on Java, so without this the user would see a Maven failure instead.
  await checkJava(javaBin, env);
  const classpath = await resolveStandInClasspath(opts.cacheDir);
  const h2File = opts.h2File ? path.resolve(opts.h2File) : undefined;
  if (h2File) await ownerOnlyDir(path.dirname(h2File));

  // Random per handle, known only to this process and the JVM (stdin), never written down: nothing but this
  // process needs to connect, and a restarted JVM gets the same one so the URI the driver holds stays valid.
  const password = randomBytes(24).toString('hex');
  const args = (port: number) => {
    const list = [...JVM_FLAGS, '-cp', classpath, LAUNCHER, '--port', String(port), '--auth'];
    if (h2File) list.push('--h2', h2File);
    if (opts.oplog) list.push('--oplog');
    return list;
  };
  const launch = (port: number) => launchStandIn({ javaBin, args: args(port), env, firstLine: `${STAND_IN_USER}:${password}`, log: opts.log }).catch(javaMissing(javaBin));

  let current = await launch(opts.port ?? 0);
  // Same port on every restart: the driver keeps the URI and reconnects by itself.
  const port = current.port;
  const events = new EventEmitter() as EmbeddedMongo;
  const backoff = { ...DEFAULT_RESTART, ...(opts.restart ?? {}) };
  let stopping: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let relaunching: Promise<unknown> | undefined;
  let delayMs = backoff.initialDelayMs;

  const supervise = (run: StandInProcess) => {
    const startedAt = Date.now();
    void run.exited.then((exit) => {
      if (stopping || opts.restart === false) {
        if (!stopping) events.emit('exit', { ...exit, restartInMs: undefined });
        return;
      }
      // A store that ran for a while and then died starts the back-off over; one that dies at once backs off.
      if (Date.now() - startedAt >= backoff.stableAfterMs) delayMs = backoff.initialDelayMs;
      scheduleRestart({ ...exit });
    });
  };
  const scheduleRestart = (cause: StandInExit | { error: Error }) => {
    const wait = delayMs;
    delayMs = Math.min(delayMs * 2, backoff.maxDelayMs);
    if ('error' in cause) events.emit('restart-failed', { error: cause.error, restartInMs: wait });
    else events.emit('exit', { ...cause, restartInMs: wait });
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      relaunching = launch(port).then(
        (run) => {
          relaunching = undefined;
          if (stopping) return run.terminate();
          current = run;
          supervise(run);
          events.emit('restart', { port, pid: run.pid });
        },
        (error: Error) => {
          relaunching = undefined;
          if (!stopping) scheduleRestart({ error });
        },
      );
    }, wait);
    retryTimer.unref?.();
  };
  supervise(current);

  // defineProperty, not Object.assign: `pid` must follow `current`, and assign would copy the getter's first value.
  Object.defineProperty(events, 'pid', { get: () => current.pid, enumerable: true });
  return Object.assign(events, {
    port,
    uri: `mongodb://${STAND_IN_USER}:${password}@127.0.0.1:${port}/?directConnection=true&authSource=admin&authMechanism=SCRAM-SHA-256`,
    stop: () =>
      (stopping ??= (async () => {
        clearTimeout(retryTimer);
        await relaunching?.catch(() => undefined);
        await current.terminate();
      })()),
  });
}

/**
 * The data directory holds customers' conversations: owner-only, also when it already existed (an older version
 * created it with the umask). The launcher makes the H2 file itself 0600.
 */
async function ownerOnlyDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

function javaMissing(javaBin: string) {
  return (err: NodeJS.ErrnoException): never => {
    throw err.code === 'ENOENT' ? new JavaMissingError(`\`${javaBin}\` was not found on PATH`) : err;
  };
}

async function checkJava(javaBin: string, env: NodeJS.ProcessEnv): Promise<void> {
  const result = await run(javaBin, ['-version'], { env });
  if (result.spawnError) {
    if (result.spawnError.code === 'ENOENT') throw new JavaMissingError(`\`${javaBin}\` was not found on PATH`);
    throw new JavaMissingError(`\`${javaBin}\` could not be started: ${result.spawnError.message}`);
  }
  // `java -version` prints e.g. `openjdk version "17.0.15" 2025-04-15` (or "1.8.0_402" before Java 9).
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.output);
  if (result.code !== 0 || !match) {
    throw new JavaMissingError(`\`${javaBin} -version\` failed: ${tail(result.output, 5).join(' ')}`);
  }
  const major = match[1] === '1' ? Number(match[2]) : Number(match[1]);
  if (major < MIN_JAVA_MAJOR) throw new JavaMissingError(`\`${javaBin}\` is Java ${major}`);
}

interface RunResult {
  code: number | null;
  output: string;
  spawnError?: NodeJS.ErrnoException;
}

function run(command: string, args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv }): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (err: NodeJS.ErrnoException) => resolve({ code: null, output, spawnError: err }));
    child.once('close', (code) => resolve({ code, output }));
  });
}

function tail(text: string, lines: number): string[] {
  return text.trimEnd().split('\n').slice(-lines);
}
