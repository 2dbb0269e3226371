// Starts the MongoDB-compatible stand-in (mongo-java-server, see stand-in/Launcher.java) when no real MongoDB is
// configured. No mongod can be installed where tests and the quickstart run, and mongodb-memory-server would
// download one at run time; a JVM plus jars from Maven Central is what these machines do have.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export interface EmbeddedMongo {
  uri: string;
  port: number;
  stop(): Promise<void>;
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
}

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const STAND_IN_DIR = path.join(__dirname, 'stand-in');
const POM = path.join(STAND_IN_DIR, 'pom.xml');
const LAUNCHER = path.join(STAND_IN_DIR, 'Launcher.java');
const DEFAULT_CACHE_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'switchboard-mongo');

const READY_RE = /^SWITCHBOARD_MONGO_READY port=(\d+)$/;
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const STDERR_TAIL_LINES = 40;
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

  const args = [...JVM_FLAGS, '-cp', classpath, LAUNCHER, '--port', String(opts.port ?? 0)];
  if (opts.h2File) args.push('--h2', path.resolve(opts.h2File));
  if (opts.oplog) args.push('--oplog');

  // stdin stays a pipe we never write to: the launcher exits when it closes, i.e. when this process dies.
  const child = spawn(javaBin, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stderrTail: string[] = [];
  const log = opts.log;

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
  // Writing is never done, but an EPIPE after the JVM exits must not become an uncaught exception.
  child.stdin!.on('error', () => undefined);

  const failure = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'ENOENT' ? new JavaMissingError(`\`${javaBin}\` was not found on PATH`) : err);
    });
    // 'close', not 'exit': it waits for stdio to drain, so the tail holds the JVM's last words.
    child.once('close', (code, signal) => {
      reject(
        new Error(
          `The embedded MongoDB stand-in exited before it was ready (${signal ?? `exit code ${code}`}).\n` +
            stderrTail.join('\n'),
        ),
      );
    });
  });
  failure.catch(() => undefined);

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `The embedded MongoDB stand-in printed no ready line within ${READY_TIMEOUT_MS / 1000} s.\n` +
              stderrTail.join('\n'),
          ),
        ),
      READY_TIMEOUT_MS,
    );
  });

  let port: number;
  try {
    port = await Promise.race([ready, failure, timeout]);
  } catch (err) {
    await terminate(child, exited);
    throw err;
  } finally {
    clearTimeout(timer);
  }

  let stopping: Promise<void> | undefined;
  // Otherwise a JVM that dies later (out of memory, killed) only shows up as connection errors elsewhere.
  child.once('exit', (code, signal) => {
    if (!stopping) log?.(`embedded MongoDB stand-in exited unexpectedly (${signal ?? `exit code ${code}`})`);
  });
  return {
    port,
    uri: `mongodb://127.0.0.1:${port}/?directConnection=true`,
    stop: () => (stopping ??= terminate(child, exited)),
  };
}

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  // SIGTERM runs the launcher's shutdown hook, which closes the H2 store; SIGKILL is the last resort.
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(killer);
  }
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

function forEachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
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

function tail(text: string, lines: number): string[] {
  return text.trimEnd().split('\n').slice(-lines);
}
