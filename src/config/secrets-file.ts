// Development convenience: when JWT_SECRET / ENCRYPTION_KEY are missing outside production, generate them
// once and keep them in DATA_DIR/app/secrets.json (mode 0600) so restarts keep sessions and stored secrets.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError, type Config } from './index.js';

export type ResolvedConfig = Config & { jwtSecret: string; encryptionKey: string };

export interface ResolveSecretsResult {
  config: ResolvedConfig;
  /** Human-readable notes for the log (never the secret values). */
  warnings: string[];
}

export function appDir(dataDir: string): string {
  return join(dataDir, 'app');
}

/** Fills missing secrets from (or into) DATA_DIR/app/secrets.json; in production they must come from the environment. */
export function resolveSecrets(config: Config): ResolveSecretsResult {
  if (config.jwtSecret && config.encryptionKey) {
    return { config: { ...config, jwtSecret: config.jwtSecret, encryptionKey: config.encryptionKey }, warnings: [] };
  }
  if (config.env === 'production') {
    throw new ConfigError(['JWT_SECRET and ENCRYPTION_KEY are required when NODE_ENV=production (run ./init-env.sh)']);
  }
  const dir = appDir(config.dataDir);
  const file = join(dir, 'secrets.json');
  let stored: { jwtSecret?: string; encryptionKey?: string } = {};
  if (existsSync(file)) {
    try {
      stored = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      throw new ConfigError([`${file} is not valid JSON; fix it or delete it to generate new secrets`]);
    }
  }
  const warnings: string[] = [];
  // Only generated values go to the file; values from the environment are never written to disk.
  const next = { ...stored };
  if (!config.jwtSecret && !next.jwtSecret) next.jwtSecret = randomBytes(48).toString('base64url');
  if (!config.encryptionKey && !next.encryptionKey) next.encryptionKey = randomBytes(16).toString('hex');
  if (next.jwtSecret !== stored.jwtSecret || next.encryptionKey !== stored.encryptionKey) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(next, null, 2) + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  const jwtSecret = (config.jwtSecret ?? next.jwtSecret) as string;
  const encryptionKey = (config.encryptionKey ?? next.encryptionKey) as string;
  if (encryptionKey.length !== 32) throw new ConfigError([`${file}: encryptionKey must be exactly 32 characters`]);
  if (!config.jwtSecret) warnings.push(`JWT_SECRET is not set: using the generated one kept in ${file}`);
  if (!config.encryptionKey) warnings.push(`ENCRYPTION_KEY is not set: using the generated one kept in ${file}`);
  return { config: { ...config, jwtSecret, encryptionKey }, warnings };
}
