// What every CLI command needs: the same configuration the server reads (environment, .env, DATA_DIR secrets)
// and the services, opened on the same store.
import { createCore, type Core } from '../bootstrap.js';
import { ConfigError, loadConfig } from '../config/index.js';
import { resolveSecrets } from '../config/secrets-file.js';
import { silentLogger } from '../platform/logger.js';

export class CliError extends Error {}

export async function withCore<T>(fn: (core: Core) => Promise<T>): Promise<T> {
  let core: Core;
  try {
    const { config } = resolveSecrets(loadConfig());
    core = await createCore(config, { log: silentLogger() });
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message);
    throw e;
  }
  try {
    return await fn(core);
  } finally {
    await core.close();
  }
}

/** Prints rows as an aligned text table. */
export function table(rows: object[], columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cell = (r: object, c: string) => {
    const v = (r as Record<string, unknown>)[c];
    return v === null || v === undefined ? '-' : String(v);
  };
  const cells = rows.map((r) => columns.map((c) => cell(r, c)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function print(value: unknown, json: boolean, text: () => string): void {
  process.stdout.write((json ? JSON.stringify(value, null, 2) : text()) + '\n');
}
