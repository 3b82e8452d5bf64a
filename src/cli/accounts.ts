// crs accounts …: upstream accounts.
import type { Command } from 'commander';
import { accountCreateSchema } from '../http/admin/schemas.js';
import { parseInput } from '../http/admin/validate.js';
import { print, table, withCore } from './context.js';

export function accountsCommand(program: Command): void {
  const accounts = program.command('accounts').description('upstream accounts');

  accounts
    .command('add')
    .description('add an account')
    .option('--kind <kind>', 'account kind', 'anthropic-api')
    .requiredOption('--name <name>', 'display name')
    .option('--api-key <key>', 'the upstream API key (or set CRS_ACCOUNT_API_KEY to keep it out of shell history)')
    .option('--base-url <url>', 'custom API root (default: the provider’s)')
    .option('--priority <n>', 'lower is preferred (default 50)', (v) => Number(v))
    .option('--proxy <url>', 'http://, https:// or socks5:// proxy')
    .option('--paused', 'add it unschedulable')
    .option('--json', 'JSON output')
    .action(async (o) =>
      withCore(async (core) => {
        const { apiKey, ...input } = parseInput(accountCreateSchema, {
          kind: o.kind,
          name: o.name,
          apiKey: o.apiKey ?? process.env.CRS_ACCOUNT_API_KEY,
          baseUrl: o.baseUrl,
          priority: o.priority,
          proxy: o.proxy,
          schedulable: o.paused ? false : undefined,
        });
        const a = await core.accounts.create({ ...input, secrets: { apiKey } });
        const v = core.accounts.view(a);
        print(v, o.json === true, () => `Added account "${v.name}" (id ${v.id}, ${v.kind}, ${v.baseUrl})`);
      }),
    );

  accounts
    .command('list')
    .description('list accounts')
    .option('--json', 'JSON output')
    .action(async (o) =>
      withCore(async (core) => {
        const views = (await core.accounts.list()).map((a) => core.accounts.view(a));
        print(views, o.json === true, () => table(views, ['id', 'name', 'kind', 'priority', 'schedulable', 'baseUrl', 'secretHint', 'lastUsedAt']));
      }),
    );

  for (const [name, schedulable] of [['pause', false], ['resume', true]] as const) {
    accounts
      .command(`${name} <id>`)
      .alias(name === 'pause' ? 'disable' : 'enable')
      .description(name === 'pause' ? 'stop scheduling an account' : 'schedule an account again')
      .action(async (id: string) =>
        withCore(async (core) => {
          const a = await core.accounts.update(id, { schedulable });
          process.stdout.write(`${a.name}: ${schedulable ? 'schedulable' : 'paused'}\n`);
        }),
      );
  }

  accounts
    .command('remove <id>')
    .description('delete an account')
    .action(async (id: string) =>
      withCore(async (core) => {
        await core.accounts.remove(id);
        process.stdout.write(`removed: ${id}\n`);
      }),
    );
}
