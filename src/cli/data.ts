// crs export / crs import: API keys, accounts, groups and settings as one JSON document (secrets sealed unless --decrypt).
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { VERSION } from '../bootstrap.js';
import { writePrivateFile } from '../platform/private-files.js';
import { exportData, importData, parseExportDocument } from '../admin/data-transfer.js';
import { CliError, withCore } from './context.js';
import { importFromCrsCommand } from './import-crs.js';

export function dataCommands(program: Command): void {
  program
    .command('export')
    .description('write API keys, accounts, groups and settings as JSON (account secrets stay encrypted unless --decrypt)')
    .option('--out <file>', 'write to this file (mode 0600) instead of standard output')
    .option('--decrypt', 'include account secrets and proxies in plain text (keep the file safe)')
    .action(async (o) =>
      withCore(async (core) => {
        const doc = await exportData(core.store, core.secrets, { decrypt: o.decrypt === true, relayVersion: VERSION, now: core.clock.now() });
        const text = JSON.stringify(doc, null, 2) + '\n';
        if (o.out) {
          // 0600 even when the file existed with a wider mode (a --decrypt export holds secrets in plain text).
          writePrivateFile(resolve(o.out), text);
          process.stderr.write(
            `Exported ${doc.apiKeys.length} API keys, ${doc.accounts.length} accounts, ${doc.settings.length} settings and groups to ${resolve(o.out)}${doc.decrypted ? ' (secrets in plain text)' : ''}\n`,
          );
        } else process.stdout.write(text);
      }),
    );

  program
    .command('import [file]')
    .description(
      'load an export ("-" reads standard input); refuses records that already exist unless --force. With --from-crs: migrate from the reference project (its Redis or its export file)',
    )
    .option('--force', 'replace records that already exist')
    .option('--ignore-key-check', 'import although the export was made under another ENCRYPTION_KEY')
    .option('--from-crs', 'import the reference project’s accounts, API keys (they keep working), groups and usage')
    .option('--redis-url <url>', '--from-crs: its Redis, e.g. redis://:password@host:6379/0')
    .option('--redis-prefix <prefix>', '--from-crs: the prefix of its Redis keys (default: none)', '')
    .option('--file <file>', '--from-crs: its export (data-transfer JSON) or a dump of its keys, instead of --redis-url')
    .option('--crs-encryption-key <key>', '--from-crs: its ENCRYPTION_KEY (or set CRS_ENCRYPTION_KEY to keep it out of shell history)')
    .option('--dry-run', '--from-crs: print what would change, write nothing')
    .option('--json', '--from-crs: the report as JSON')
    .action(async (file: string | undefined, o) => {
      if (o.fromCrs) return importFromCrsCommand(file, o);
      if (!file) throw new CliError('a file to import is required (or --from-crs)');
      return withCore(async (core) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(readFileSync(file === '-' ? 0 : resolve(file), 'utf8'));
        } catch (e) {
          throw new CliError(`${file}: ${(e as Error).message}`);
        }
        const doc = parseExportDocument(parsed);
        const r = await importData(core.store, core.secrets, doc, { force: o.force === true, ignoreKeyCheck: o.ignoreKeyCheck === true });
        for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
        process.stdout.write(
          `Imported ${r.apiKeys} API keys, ${r.accounts} accounts, ${r.settings} settings and groups${r.replaced ? ` (${r.replaced} replaced)` : ''}\n`,
        );
      });
    });
}
