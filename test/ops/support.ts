// Helpers of the operations tests: temporary directories, free ports, running the root scripts as real
// processes, a stub `docker` that records its arguments, and the relay started from source as a child process.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const SCRIPTS = [
  'init-env.sh',
  'build.sh',
  'export-images.sh',
  'load-images.sh',
  'deploy.sh',
  'bundle.sh',
  'scripts/unpack-bundle.sh',
  'scripts/build-env.sh',
];

const made: string[] = [];
export function tempDir(prefix = 'crs-ops-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}
export function cleanupTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Copies the named root files (scripts, .env.example, compose file) into `dir`. */
export function copyFromRoot(dir: string, files: string[]): void {
  for (const f of files) cpSync(join(ROOT, f), join(dir, f), { recursive: true });
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a script (bash) in `cwd`, never throwing on a non-zero exit. */
export function run(cwd: string, script: string, args: string[] = [], env: Record<string, string | undefined> = {}, input?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'bash',
      [join(cwd, script), ...args],
      { cwd, env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

/**
 * A stub `docker` in `<dir>/bin`: appends each call's arguments (one line, tab-separated) to `<dir>/docker.log`.
 * `docker info` succeeds only when STUB_DOCKER_ENGINE=1; `docker save IMAGE` prints STUB_SAVE_BYTES bytes
 * (random) and keeps a copy in `<dir>/saved/`; `docker load` stores its input in `<dir>/loaded/`;
 * `docker compose version` succeeds when STUB_COMPOSE=1; `docker image inspect` fails for STUB_MISSING_IMAGE.
 */
export function stubDocker(dir: string): { bin: string; log: string; calls: () => string[][] } {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  mkdirSync(join(dir, 'saved'), { recursive: true });
  mkdirSync(join(dir, 'loaded'), { recursive: true });
  const log = join(dir, 'docker.log');
  writeFileSync(log, '');
  const script = `#!/usr/bin/env bash
set -euo pipefail
(IFS=$'\\t'; printf '%s\\n' "$*") >>'${log}'
case "\${1:-}" in
  info)
    if [[ \${STUB_DOCKER_ENGINE:-0} == 1 ]]; then echo "Server Version: stub"; exit 0; fi
    echo "Cannot connect to the Docker daemon (stub)" >&2; exit 1 ;;
  image)
    if [[ \${2:-} == inspect && -n \${STUB_MISSING_IMAGE:-} && \${3:-} == "\${STUB_MISSING_IMAGE}" ]]; then echo "No such image" >&2; exit 1; fi
    echo '[{}]' ;;
  save)
    name=$(printf '%s' "$2" | tr '/:@' '___')
    head -c "\${STUB_SAVE_BYTES:-100000}" /dev/urandom | tee '${dir}/saved/'"$name" ;;
  load)
    n=$(find '${dir}/loaded' -type f | wc -l)
    cat >'${dir}/loaded/'"$n"
    echo "Loaded image (stub)" ;;
  compose)
    if [[ \${2:-} == version ]]; then
      if [[ \${STUB_COMPOSE:-0} == 1 ]]; then echo "Docker Compose version v2.0.0-stub"; exit 0; fi
      echo "docker: unknown command: docker compose" >&2; exit 1
    fi
    if [[ \${2:-} == build ]]; then printf 'NPM_REGISTRY=%s DEBIAN_MIRROR=%s NODE_IMAGE=%s\\n' "\${NPM_REGISTRY:-}" "\${DEBIAN_MIRROR:-}" "\${NODE_IMAGE:-}" >>'${dir}/build-env.log'; fi
    echo "compose (stub): \${*:2}" ;;
  build) echo "built (stub)" ;;
  *) echo "docker stub: unhandled: $*" >&2; exit 3 ;;
esac
`;
  writeFileSync(join(bin, 'docker'), script);
  chmodSync(join(bin, 'docker'), 0o755);
  return {
    bin,
    log,
    calls: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')),
  };
}

/** PATH with the stub's bin first. */
export function pathWith(bin: string): string {
  return `${bin}:${process.env.PATH}`;
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function healthOf(port: number): Promise<{ status: number; body: any } | undefined> {
  const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
  return { status: res.status, body: await res.json() };
}

export interface ChildRelay {
  child: ChildProcess;
  port: number;
  stdout: () => string;
  exited: Promise<number | null>;
}

/** Starts `src/main.ts` (through tsx) with `env` in `cwd`, and waits until /health answers 200. */
export async function spawnRelayFromSource(cwd: string, env: Record<string, string>): Promise<ChildRelay> {
  const port = Number(env.PORT);
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src', 'main.ts')], {
    cwd,
    env: { ...process.env, REDIS_URL: '', REDIS_HOST: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor(
    async () => {
      if (gone) throw new Error(`relay exited during start:\n${out}`);
      return (await healthOf(port))?.status === 200;
    },
    20_000,
    'the relay to answer /health',
  ).catch((e) => {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${out}`);
  });
  return { child, port, stdout: () => out, exited };
}

export function exists(p: string): boolean {
  return existsSync(p);
}
