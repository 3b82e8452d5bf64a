#!/usr/bin/env node
// The crs command: manage keys, accounts, usage and admin credentials on the relay's store
// (run it where the relay runs: same .env, same DATA_DIR or Redis).
import { Command } from 'commander';
import { VERSION } from '../bootstrap.js';
import { RelayError } from '../core/errors.js';
import { accountsCommand } from './accounts.js';
import { adminCommand } from './admin.js';
import { backupCommand } from './backup.js';
import { CliError } from './context.js';
import { dataCommands } from './data.js';
import { keysCommand } from './keys.js';
import { statusCommand } from './status.js';
import { usageCommand } from './usage.js';

const program = new Command('crs').description('Claude Relay Service command line').version(VERSION).showHelpAfterError();
keysCommand(program);
accountsCommand(program);
usageCommand(program);
adminCommand(program);
statusCommand(program);
dataCommands(program);
backupCommand(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  const details =
    e instanceof RelayError && Array.isArray(e.details)
      ? e.details.map((d: { path: string; message: string }) => `\n  - ${d.path}: ${d.message}`).join('')
      : '';
  process.stderr.write(`crs: ${(e as Error).message}${details}\n`);
  process.exit(e instanceof CliError || e instanceof RelayError ? 2 : 1);
});
