// crs import --from-crs: migration from the reference project, from its Redis or a file, with a dry run that
// prints the plan. The relay may keep running: it sees the new records through the store's change events.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { importFromCrs, type CrsImportReport } from '../migrate/crs/import.js';
import { fileSource, redisSource, type CrsKeySource } from '../migrate/crs/source.js';
import { CliError, withCore } from './context.js';

interface Options {
  redisUrl?: string;
  redisPrefix?: string;
  file?: string;
  crsEncryptionKey?: string;
  dryRun?: boolean;
  force?: boolean;
  json?: boolean;
}

async function openSource(file: string | undefined, o: Options): Promise<CrsKeySource> {
  const path = o.file ?? file;
  if (path && o.redisUrl) throw new CliError('--from-crs reads either --redis-url or a file, not both');
  if (o.redisUrl) {
    if (!/^rediss?:\/\//.test(o.redisUrl)) throw new CliError('--redis-url must start with redis:// or rediss://');
    try {
      return await redisSource(o.redisUrl, o.redisPrefix ?? '');
    } catch (e) {
      throw new CliError((e as Error).message);
    }
  }
  if (!path) throw new CliError('--from-crs needs --redis-url URL (its Redis) or --file FILE (its export)');
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path === '-' ? 0 : resolve(path), 'utf8'));
  } catch (e) {
    throw new CliError(`${path}: ${(e as Error).message}`);
  }
  try {
    return fileSource(doc, path);
  } catch (e) {
    throw new CliError(`${path}: ${(e as Error).message}`);
  }
}

const VERB: Record<string, string> = { create: 'new', replace: 'replace', exists: 'exists (kept; --force replaces)', skip: 'skipped' };

function text(r: CrsImportReport): string {
  const lines = [`${r.dryRun ? 'Dry run: nothing was written. ' : ''}From ${r.source}:`];
  const section = (title: string, items: { name: string; id: string; action: string; reason?: string; extra?: string }[]) => {
    const n = (a: string) => items.filter((i) => i.action === a).length;
    lines.push(`${title}: ${n('create')} new, ${n('replace')} replaced, ${n('exists')} already here, ${n('skip')} skipped`);
    for (const i of items) lines.push(`  ${VERB[i.action].padEnd(9)} ${i.name} (${i.id})${i.extra ?? ''}${i.reason ? `: ${i.reason}` : ''}`);
  };
  section('Account groups', r.groups);
  section(
    'Accounts',
    r.accounts.map((a) => ({ ...a, extra: ` → ${a.kind}` })),
  );
  section(
    'API keys',
    r.apiKeys.map((k) => ({ ...k, extra: k.usageRows ? `, usage: ${k.usageRows} rows, $${k.costUsd.toFixed(4)} in total` : '' })),
  );
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  if (!r.dryRun && r.apiKeys.some((k) => k.action === 'create' || k.action === 'replace')) {
    lines.push('Imported keys work unchanged: each is recognised by the reference project’s hash at its first use, then by this relay’s.');
  }
  return lines.join('\n');
}

export async function importFromCrsCommand(file: string | undefined, o: Options): Promise<void> {
  const encryptionKey = o.crsEncryptionKey ?? process.env.CRS_ENCRYPTION_KEY;
  if (!encryptionKey)
    throw new CliError(
      '--from-crs needs the reference project’s ENCRYPTION_KEY: --crs-encryption-key KEY or CRS_ENCRYPTION_KEY (its credentials and key hashes depend on it)',
    );
  const src = await openSource(file, o);
  try {
    await withCore(async (core) => {
      let r: CrsImportReport;
      try {
        r = await importFromCrs(src, core.store, core.secrets, {
          encryptionKey,
          dryRun: o.dryRun === true,
          force: o.force === true,
          now: core.clock.now(),
          timezoneOffsetHours: core.config.timezoneOffsetHours,
        });
      } catch (e) {
        throw new CliError((e as Error).message);
      }
      process.stdout.write((o.json ? JSON.stringify(r, null, 2) : text(r)) + '\n');
    });
  } finally {
    await src.close();
  }
}
