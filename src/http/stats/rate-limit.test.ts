import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../core/clock.js';
import { isRelayError } from '../../core/errors.js';
import { AddressLimiter } from './rate-limit.js';

test('the window follows the injected clock: full until it ends, open again after', () => {
  const clock = new ManualClock();
  const limiter = new AddressLimiter(2, 60_000, clock);
  limiter.hit('10.0.0.1');
  limiter.hit('10.0.0.1');
  clock.advance(15_000);
  assert.throws(
    () => limiter.hit('10.0.0.1'),
    (e) => isRelayError(e) && e.code === 'RATE_LIMITED' && e.retryAfterSec === 45,
  );
  limiter.hit('10.0.0.2'); // per address
  clock.advance(44_999);
  assert.throws(
    () => limiter.hit('10.0.0.1'),
    (e) => isRelayError(e) && e.retryAfterSec === 1,
  );
  clock.advance(1);
  limiter.hit('10.0.0.1');
});
