import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RelayError } from '../core/errors.js';
import { LoginLimiter, sourceOf } from './login-limiter.js';

const limited = (e: unknown) => e instanceof RelayError && e.code === 'LOGIN_RATE_LIMITED';

test('an attempt takes its slot before the check: the 11th concurrent attempt is refused while 10 are pending', () => {
  const l = new LoginLimiter({ perSource: 10 });
  const pending = Array.from({ length: 10 }, () => l.reserve('203.0.113.5', 0));
  assert.throws(() => l.reserve('203.0.113.5', 0), limited);
  for (const a of pending) a.failed();
  assert.throws(() => l.reserve('203.0.113.5', 1000), limited, 'failures keep their slots for the window');
  assert.doesNotThrow(() => l.reserve('203.0.113.5', 15 * 60_000), 'a new window');
});

test('a success gives the source its slots back', () => {
  const l = new LoginLimiter({ perSource: 3 });
  l.reserve('a', 0).failed();
  l.reserve('a', 0).failed();
  l.reserve('a', 0).succeeded();
  for (let i = 0; i < 3; i++) l.reserve('a', 0).failed();
  assert.throws(() => l.reserve('a', 0), limited);
});

test('a flood from one source does not lock out another', () => {
  const l = new LoginLimiter({ perSource: 10 });
  for (let i = 0; i < 10; i++) l.reserve('203.0.113.5', 0).failed();
  assert.throws(() => l.reserve('203.0.113.5', 0), limited);
  assert.doesNotThrow(() => l.reserve('198.51.100.7', 0).succeeded());
});

test('global ceiling: a flood from many sources stops at it; a source that logged in before still gets in', () => {
  const l = new LoginLimiter({ perSource: 10, globalUntrusted: 50 });
  l.reserve('198.51.100.7', 0).succeeded(); // the admin's usual place
  for (let i = 0; i < 50; i++) l.reserve(`203.0.113.${i}`, 1).failed();
  assert.throws(() => l.reserve('203.0.113.200', 2), limited, 'the ceiling holds against rotating sources');
  assert.throws(() => l.reserve('192.0.2.1', 2), limited, 'a new place waits out the window');
  assert.doesNotThrow(() => l.reserve('198.51.100.7', 2).succeeded(), 'a trusted source is not held by the ceiling');
});

test('sources: IPv6 by /64, IPv4-mapped as IPv4', () => {
  assert.equal(sourceOf('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(sourceOf('2001:db8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
  assert.equal(sourceOf('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(sourceOf('::ffff:192.0.2.7'), '192.0.2.7');
  assert.equal(sourceOf('192.0.2.7'), '192.0.2.7');
});
