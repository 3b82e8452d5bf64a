// /admin/accounts/:id/scheduled-test: an account's scheduled test (`{ enabled, cron, model }`, cron read in the
// reporting time zone) with its next run and the last runs; the runner in every instance picks a change up at its
// next tick.
import type { Clock } from '../../../core/clock.js';
import { RelayError } from '../../../core/errors.js';
import { servesModel } from '../../../scheduling/selector.js';
import type { AccountPool } from '../../../accounts/pool.js';
import type { AccountTester } from '../../../accounts/tester.js';
import type { AccountService } from '../../../accounts/accounts.js';
import { cronProblem } from '../../../accounts/scheduled-tests/cron.js';
import type { TestSchedules } from '../../../accounts/scheduled-tests/schedules.js';
import { idParams, routeBuilder } from '../route.js';
import { parseInput } from '../validate.js';
import { scheduledTestSchema, scheduledTestView } from './schemas.js';

interface Deps {
  accounts: AccountService;
  pool: AccountPool;
  tester: AccountTester;
  schedules: TestSchedules;
  clock: Clock;
  timezoneOffsetHours: number;
}

/** A 400 in parseInput's shape for a problem found after the schema passed. */
function invalid(path: string, message: string): RelayError {
  return new RelayError('VALIDATION_FAILED', `Validation failed: ${path}: ${message}`, { details: [{ path, message }] });
}

const route = routeBuilder<Deps>();

export const scheduledTestRoutes = [
  route(
    {
      method: 'GET',
      path: '/accounts/:id/scheduled-test',
      tag: 'accounts',
      summary:
        'The account’s scheduled test: enabled, cron (read in the reporting time zone), model, next run, and `history` (the last runs: time, ok, HTTP status, duration, model, error without credentials)',
      params: idParams,
      response: scheduledTestView,
    },
    async ({ params: { id } }, deps) => {
      await deps.accounts.get(id); // 404 for an unknown id
      return deps.schedules.view(id, deps.tester.defaultModel(id));
    },
  ),
  route(
    {
      method: 'PUT',
      path: '/accounts/:id/scheduled-test',
      tag: 'accounts',
      summary:
        'Set the account’s scheduled test; the cron expression must be five fields and fire at most every 5 minutes, the model one the account serves (400 VALIDATION_FAILED otherwise). Several instances run each due test once.',
      params: idParams,
      // Validated in the handler: an unknown account is a 404 before a bad body is a 400.
      bodyDoc: scheduledTestSchema,
      response: scheduledTestView,
    },
    async ({ params: { id }, request }, deps) => {
      await deps.accounts.get(id); // 404 for an unknown id
      const body = parseInput(scheduledTestSchema, request.body);
      const problem = cronProblem(body.cron, deps.clock.now(), deps.timezoneOffsetHours);
      if (problem) throw invalid('cron', problem);
      const entry = deps.pool.get(id);
      if (entry && !servesModel(entry, body.model)) {
        throw invalid(
          'model',
          `the account does not serve ${body.model} (it serves: ${[...entry.supportedModels, ...Object.keys(entry.modelMapping)].join(', ')})`,
        );
      }
      await deps.schedules.put(id, body, request.admin?.username ?? 'admin');
      return deps.schedules.view(id, deps.tester.defaultModel(id));
    },
  ),
];
