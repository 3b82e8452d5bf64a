// crs keys …: relay API keys.
import type { Command } from 'commander';
import { apiKeyCreateSchema, apiKeyPatchSchema, splitKeyInput } from '../http/admin/keys/schemas.js';
import { apiKeyView } from '../http/admin/keys/views.js';
import { parseInput } from '../http/admin/validate.js';
import { print, table, withCore } from './context.js';

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * `--set field=value` (repeatable): any key setting by its admin API name. Values are JSON when they parse
 * (`4`, `true`, `["claude"]`), a comma list for array fields (`permissions=claude,openai`), else text.
 */
const ARRAY_FIELDS = new Set(['permissions', 'restrictedModels', 'allowedClients', 'tags']);
function collectSet(pair: string, acc: Record<string, unknown>): Record<string, unknown> {
  const i = pair.indexOf('=');
  if (i <= 0) throw new Error(`--set expects field=value, got "${pair}"`);
  const field = pair.slice(0, i);
  const raw = pair.slice(i + 1);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  if (ARRAY_FIELDS.has(field) && !Array.isArray(value)) value = raw === '' ? [] : list(raw);
  return { ...acc, [field]: value };
}

export function keysCommand(program: Command): void {
  const keys = program.command('keys').description('relay API keys');

  keys
    .command('create')
    .description('create a key; prints the key (shown only this once)')
    .requiredOption('--name <name>', 'display name')
    .option('--description <text>', 'description')
    .option('--tags <a,b>', 'comma-separated tags', list)
    .option('--expires <time>', 'expiry (ISO 8601 or epoch ms)')
    .option('--set <field=value>', 'any limit or setting by its API name, e.g. concurrencyLimit=4 (repeatable)', collectSet, {})
    .option('--json', 'print the created record as JSON (includes the key)')
    .action(async (o) =>
      withCore(async (core) => {
        const parsed = parseInput(apiKeyCreateSchema, { name: o.name, description: o.description, tags: o.tags, expiresAt: o.expires, ...o.set });
        const { base, limits } = splitKeyInput(parsed);
        const { record, key } = await core.keys.create({ ...(base as { name: string }), limits });
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

  keys
    .command('update <id>')
    .description('change settings and limits of a key')
    .option('--set <field=value>', 'a limit or setting by its API name (repeatable)', collectSet, {})
    .option('--json', 'JSON output')
    .action(async (id: string, o) =>
      withCore(async (core) => {
        const { base, limits } = splitKeyInput(parseInput(apiKeyPatchSchema, o.set));
        const k = await core.keys.update(id, { ...base, limits });
        const v = apiKeyView(k, core.clock.now());
        print(v, o.json === true, () => `${v.name}: updated (${Object.keys(o.set).join(', ') || 'nothing'})`);
      }),
    );

  for (const [name, isActive] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
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
