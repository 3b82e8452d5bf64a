// Files only the relay's user may read: the database, logs, secrets and exports hold keys, hashes and usage.
// Folders are 0700 and files 0600 when created here; existing ones are tightened at start. A chmod the process may
// not do (a folder another user owns, as in some container setups) is reported, never fatal.
import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync, writeFileSync } from 'node:fs';

/**
 * Creates `dir` (and missing parents) as 0700; an existing `dir` is tightened to 0700 unless `tightenExisting` is
 * false (a folder the operator chose, such as LOG_DIR, may be shared). Returns a problem message or null.
 */
export function privateDir(dir: string, opts: { tightenExisting?: boolean } = {}): string | null {
  const existed = existsSync(dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return existed && opts.tightenExisting === false ? null : tighten(dir, 0o700);
}

/** Creates `file` empty as 0600 when absent, else tightens it to 0600. Returns a problem message or null. */
export function privateFile(file: string): string | null {
  if (!existsSync(file)) {
    closeSync(openSync(file, 'a', 0o600));
  }
  return tighten(file, 0o600);
}

/** Tightens the files that exist among `files` to 0600 (SQLite's -wal/-shm, older log files). */
export function tightenFiles(files: readonly string[]): string[] {
  const problems: string[] = [];
  for (const f of files) {
    if (!existsSync(f)) continue;
    const p = tighten(f, 0o600);
    if (p) problems.push(p);
  }
  return problems;
}

/**
 * Writes `text` to `file` as 0600, whether or not the file existed: the mode is set on the open descriptor after
 * truncation and before any byte is written (an existing file otherwise keeps its old, possibly world-readable mode).
 */
export function writePrivateFile(file: string, text: string): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeFileSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

function tighten(path: string, mode: number): string | null {
  try {
    chmodSync(path, mode);
    return null;
  } catch (e) {
    return `could not set mode ${mode.toString(8)} on ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
}
