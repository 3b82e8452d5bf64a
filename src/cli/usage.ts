// crs usage: token and cost totals, like GET /admin/usage.
import type { Command } from 'commander';
import { queryUsageReport } from '../accounting/usage-report.js';
import type { Granularity } from '../core/usage-event.js';
import { usageQuerySchema } from '../http/admin/usage/schemas.js';
import { parseInput } from '../http/admin/validate.js';
import { print, table, withCore } from './context.js';

export function usageCommand(program: Command): void {
  program
    .command('usage')
    .description('token and cost totals per hour, day or month')
    .option('--key <id>', 'only this API key')
    .option('--account <id>', 'only this account')
    .option('--model <model>', 'only this model')
    .option('--from <time>', 'start (ISO 8601 or epoch ms)')
    .option('--to <time>', 'end (ISO 8601 or epoch ms)')
    .option('--granularity <g>', 'hour | day | month', 'day')
    .option('--json', 'JSON output')
    .action(async (o) =>
      withCore(async (core) => {
        const q = parseInput(usageQuerySchema, { keyId: o.key, accountId: o.account, model: o.model, from: o.from, to: o.to, granularity: o.granularity });
        const report = await queryUsageReport(
          core.store,
          { ...q, granularity: q.granularity as Granularity },
          core.clock.now(),
          core.config.timezoneOffsetHours,
        );
        print(report, o.json === true, () => {
          const rows = report.buckets.filter((b) => b.requests > 0).map((b) => ({ ...b, cost: `$${b.costUsd.toFixed(4)}` }));
          const totals = { bucket: 'TOTAL', ...report.totals, cost: `$${report.totals.costUsd.toFixed(4)}` };
          return (
            `Usage by ${report.granularity} (UTC${report.timezoneOffsetHours >= 0 ? '+' : ''}${report.timezoneOffsetHours}), ${report.from} … ${report.to}\n` +
            table([...rows, totals], ['bucket', 'requests', 'errors', 'input', 'output', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead', 'cost'])
          );
        });
      }),
    );
}
