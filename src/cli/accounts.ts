// crs accounts …: upstream accounts (API keys, or subscription tokens pasted from `claude setup-token` or a pair).
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { providerDefaults } from '../bootstrap.js';
import { accountCreateSchema } from '../http/admin/accounts/schemas.js';
import { tokenImportSchema } from '../http/admin/oauth/schemas.js';
import { parseInput } from '../http/admin/validate.js';
import { TokenImport } from '../accounts/token-import.js';
import { createDispatcherPool } from '../upstream/dispatchers.js';
import { CliError, print, table, withCore } from './context.js';

export function accountsCommand(program: Command): void {
  const accounts = program.command('accounts').description('upstream accounts');

  accounts
    .command('add')
    .description('add an account (anthropic-oauth: from a pasted token, checked with the provider first)')
    .option('--kind <kind>', 'account kind', 'anthropic-api')
    .requiredOption('--name <name>', 'display name')
    .option('--api-key <key>', 'the upstream API key (or set CRS_ACCOUNT_API_KEY to keep it out of shell history)')
    .option('--access-token <token>', 'anthropic-oauth: the access token, e.g. what `claude setup-token` prints (or set CRS_ACCOUNT_ACCESS_TOKEN)')
    .option('--refresh-token <token>', 'anthropic-oauth: the refresh token of an access/refresh pair (or set CRS_ACCOUNT_REFRESH_TOKEN)')
    .option('--expires-at <time>', 'anthropic-oauth: when the access token expires (ISO 8601 or epoch ms)')
    .option('--credentials-file <file>', 'anthropic-oauth: take the tokens from a Claude Code credentials file (.credentials.json)')
    .option('--base-url <url>', 'custom API root (default: the provider’s)')
    .option('--priority <n>', 'lower is preferred (default 50)', (v) => Number(v))
    .option('--proxy <url>', 'http://, https:// or socks5:// proxy')
    .option('--paused', 'add it unschedulable')
    .option('--json', 'JSON output')
    .action(async (o) => {
      const tokens = pastedTokens(o);
      if (tokens) return addFromToken(o, tokens);
      return withCore(async (core) => {
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
      });
    });

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

  for (const [name, schedulable] of [
    ['pause', false],
    ['resume', true],
  ] as const) {
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

interface AddOptions {
  kind: string;
  name: string;
  accessToken?: string;
  refreshToken?: string;
  expiresAt?: string;
  credentialsFile?: string;
  baseUrl?: string;
  priority?: number;
  proxy?: string;
  paused?: boolean;
  json?: boolean;
}

/** The tokens given on the command line, in the environment or in a credentials file; null when none are. */
function pastedTokens(o: AddOptions): { accessToken: unknown; refreshToken?: unknown; expiresAt?: unknown; scopes?: unknown } | null {
  if (o.credentialsFile) {
    let doc: { claudeAiOauth?: Record<string, unknown> } & Record<string, unknown>;
    try {
      doc = JSON.parse(readFileSync(resolve(o.credentialsFile), 'utf8'));
    } catch (e) {
      throw new CliError(`${o.credentialsFile}: ${(e as Error).message}`);
    }
    const c = doc.claudeAiOauth ?? doc;
    if (typeof c.accessToken !== 'string') throw new CliError(`${o.credentialsFile}: no claudeAiOauth.accessToken in it`);
    return { accessToken: c.accessToken, refreshToken: c.refreshToken ?? null, expiresAt: c.expiresAt ?? null, scopes: c.scopes };
  }
  const accessToken = o.accessToken ?? process.env.CRS_ACCOUNT_ACCESS_TOKEN;
  if (accessToken === undefined) {
    if (o.refreshToken || o.expiresAt) throw new CliError('--refresh-token and --expires-at go with --access-token');
    return null;
  }
  return { accessToken, refreshToken: o.refreshToken ?? process.env.CRS_ACCOUNT_REFRESH_TOKEN ?? null, expiresAt: o.expiresAt ?? null };
}

/** `crs accounts add --kind anthropic-oauth --access-token …`: checked with the provider (through --proxy), then saved. */
async function addFromToken(o: AddOptions, tokens: NonNullable<ReturnType<typeof pastedTokens>>): Promise<void> {
  const { accessToken, refreshToken, expiresAt, scopes, ...settings } = parseInput(tokenImportSchema, {
    kind: o.kind === 'anthropic-api' ? 'anthropic-oauth' : o.kind,
    name: o.name,
    ...tokens,
    baseUrl: o.baseUrl,
    priority: o.priority,
    proxy: o.proxy,
    schedulable: o.paused ? false : undefined,
  });
  await withCore(async (core) => {
    const dispatchers = createDispatcherPool({ timeoutMs: core.config.upstreamTimeoutMs });
    try {
      const importer = new TokenImport({
        accounts: core.accounts,
        defaults: providerDefaults(core.config),
        secrets: core.secrets,
        clock: core.clock,
        fetchFor: (proxy) => dispatchers.fetchFor(proxy) as unknown as typeof fetch,
      });
      const r = await importer.create({ ...settings, tokens: { accessToken, refreshToken, expiresAt, scopes } });
      const v = core.accounts.view(r.account);
      const who = r.identity ? [r.identity.email, r.identity.plan].filter(Boolean).join(', ') : '';
      print(
        { ...v, source: r.source, tokenExpiresAt: r.tokenExpiresAt },
        o.json === true,
        () =>
          `Added account "${v.name}" (id ${v.id}, ${v.kind}, ${r.source}${who ? `, ${who}` : ''}); the provider accepted the token; it expires ${r.tokenExpiresAt}`,
      );
    } finally {
      await dispatchers.close();
    }
  });
}
