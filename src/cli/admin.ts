// crs admin …: admin credentials.
import type { Command } from 'commander';
import { randomPassword } from '../platform/secrets.js';
import { CliError, withCore } from './context.js';

export function adminCommand(program: Command): void {
  const admin = program.command('admin').description('admin credentials');
  admin
    .command('reset-password')
    .description('set a new admin password (generated unless CRS_NEW_ADMIN_PASSWORD is set); prints it')
    .requiredOption('--username <name>', 'admin username')
    .action(async (o) =>
      withCore(async (core) => {
        const given = process.env.CRS_NEW_ADMIN_PASSWORD;
        if (given !== undefined && given.length < 8) throw new CliError('CRS_NEW_ADMIN_PASSWORD must be at least 8 characters');
        const password = given ?? randomPassword(20);
        await core.auth.setPassword(o.username, password);
        process.stderr.write(`Password for ${o.username} set.${given ? '' : ' New password:'}\n`);
        if (!given) process.stdout.write(password + '\n');
      }),
    );
}
