// crs keys …: relay API keys.
import type { Command } from 'commander';
import { apiKeyCreateSchema } from '../http/admin/schemas.js';
import { apiKeyView } from '../http/admin/api-keys.js';
import { parseInput } from '../http/admin/validate.js';
import { print, table, withCore } from './context.js';

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

export function keysCommand(program: Command): void {
  const keys = program.command('keys').description('relay API keys');

  keys
    .command('create')
    .description('create a key; prints the key (shown only this once)')
    .requiredOption('--name <name>', 'display name')
    .option('--description <text>', 'description')
    .option('--tags <a,b>', 'comma-separated tags', list)
    .option('--expires <time>', 'expiry (ISO 8601 or epoch ms)')
    .option('--json', 'print the created record as JSON (includes the key)')
    .action(async (o) =>
      withCore(async (core) => {
        const input = parseInput(apiKeyCreateSchema, { name: o.name, description: o.description, tags: o.tags, expiresAt: o.expires });
        const { record, key } = await core.keys.create(input);
        if (o.json) print({ ...apiKeyView(record, core.clock.now()), key }, true, () => '');
        else {
          process.stderr.write(`Created key "${record.name}" (id ${record.id}). It is shown only now:\n`);
          process.stdout.write(key + '\n');
        }
      }),
    );

  keys
    .command('list')
    .description('list keys')
    .option('--q <text>', 'search name, description, prefix and tags')
    .option('--deleted', 'include soft-deleted keys')
    .option('--json', 'JSON output')
    .action(async (o) =>
      withCore(async (core) => {
        const { items } = await core.keys.list({ q: o.q, includeDeleted: o.deleted === true });
        const now = core.clock.now();
        const views = items.map((k) => apiKeyView(k, now));
        print(views, o.json === true, () => table(views, ['id', 'name', 'prefix', 'status', 'expiresAt', 'createdAt']));
      }),
    );

  for (const [name, isActive] of [['disable', false], ['enable', true]] as const) {
    keys
      .command(`${name} <id>`)
      .description(`${name} a key`)
      .action(async (id: string) =>
        withCore(async (core) => {
          const k = await core.keys.update(id, { isActive });
          process.stdout.write(`${k.name}: ${isActive ? 'enabled' : 'disabled'}\n`);
        }),
      );
  }

  keys
    .command('delete <id>')
    .description('soft-delete a key (statistics kept); --permanent removes it')
    .option('--permanent', 'remove the key record for good')
    .action(async (id: string, o) =>
      withCore(async (core) => {
        if (o.permanent) await core.keys.purge(id);
        else await core.keys.softDelete(id);
        process.stdout.write(`deleted${o.permanent ? ' permanently' : ''}: ${id}\n`);
      }),
    );
}
