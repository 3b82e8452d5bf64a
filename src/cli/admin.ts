// crs admin …: admin credentials. ADMIN_PASSWORD in .env only seeds the first start, so this is how a lost or
// forgotten admin password is reset.
import type { Command } from 'commander';
import { randomPassword } from '../platform/secrets.js';
import { CliError, withCore } from './context.js';

export function adminCommand(program: Command): void {
  const admin = program.command('admin').description('admin credentials');
  admin
    .command('reset-password')
    .description('set a new admin password (generated unless CRS_NEW_ADMIN_PASSWORD is set); prints it; other sessions of that admin end')
    .option('--username <name>', 'admin username (default: ADMIN_USERNAME of .env)')
    .action(async (o) =>
      withCore(async (core) => {
        const username: string | undefined = o.username ?? core.config.admin?.username ?? undefined;
        if (!username) throw new CliError('--username is required (ADMIN_USERNAME is not set; the name is in data/app/init.json)');
        const given = process.env.CRS_NEW_ADMIN_PASSWORD;
        if (given !== undefined && given.length < 8) throw new CliError('CRS_NEW_ADMIN_PASSWORD must be at least 8 characters');
        const password = given ?? randomPassword(20);
        await core.auth.setPassword(username, password);
        process.stderr.write(`Password for ${username} set.${given ? '' : ' New password:'}\n`);
        if (!given) process.stdout.write(password + '\n');
      }),
    );
}
