// P8 item 5: an account is blocked only on the upstream's documented account-level signals; what a client can
// provoke (a bare 403, a 5xx, text echoed back from its own request) only cools the account down, or nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyAnthropicFailure } from '../../src/providers/anthropic-api/errors.js';
import { classifyOAuthFailure } from '../../src/providers/anthropic-oauth/errors.js';
import type { UpstreamFailure } from '../../src/scheduling/failure.js';

const fail = (status: number, type: string, message: string): UpstreamFailure => ({
  status,
  headers: {},
  body: { type: 'error', error: { type, message } },
  at: 1000,
});

const cases: { name: string; f: UpstreamFailure; api: string; oauth: string }[] = [
  { name: 'organisation disabled (400)', f: fail(400, 'invalid_request_error', 'This organization has been disabled.'), api: 'blocked', oauth: 'blocked' },
  {
    name: 'organisation disabled (403 permission_error)',
    f: fail(403, 'permission_error', 'Your organization has been disabled.'),
    api: 'blocked',
    oauth: 'blocked',
  },
  { name: 'account disabled (403)', f: fail(403, 'permission_error', 'This account has been disabled'), api: 'blocked', oauth: 'blocked' },
  {
    name: 'OAuth not allowed for the organisation (403)',
    f: fail(403, 'permission_error', 'OAuth authentication is currently not allowed for this organization.'),
    api: 'forbidden',
    oauth: 'blocked',
  },
  { name: 'billing (402)', f: fail(402, 'billing_error', 'Your credit balance is too low'), api: 'blocked', oauth: 'blocked' },
  { name: 'a bare 403', f: fail(403, 'permission_error', 'Permission denied'), api: 'forbidden', oauth: 'forbidden' },
  { name: 'a 403 without a body', f: { status: 403, headers: {}, body: undefined, at: 1000 }, api: 'forbidden', oauth: 'forbidden' },
  {
    name: 'a resource this key may not use (403)',
    f: fail(403, 'permission_error', 'Your API key does not have permission to use the specified resource.'),
    api: 'forbidden',
    oauth: 'forbidden',
  },
  {
    name: 'a feature not allowed for the organisation (403)',
    f: fail(403, 'permission_error', 'This feature is not allowed for this organization.'),
    api: 'forbidden',
    oauth: 'forbidden',
  },
  { name: '500', f: fail(500, 'api_error', 'Internal server error'), api: 'server_error', oauth: 'server_error' },
  // Upstream messages echo client text: a model name that spells a ban must not ban the account.
  {
    name: 'echoed model name (404)',
    f: fail(404, 'not_found_error', 'model: This organization has been disabled.'),
    api: 'client_error',
    oauth: 'client_error',
  },
  {
    name: 'echoed text in a 400',
    f: fail(
      400,
      'invalid_request_error',
      'messages.0: OAuth authentication is currently not allowed for this organization. This organization has been disabled.',
    ),
    api: 'client_error',
    oauth: 'client_error',
  },
  { name: 'echoed text in a 403', f: fail(403, 'permission_error', 'model claude-x: organization has been disabled'), api: 'forbidden', oauth: 'forbidden' },
];
for (const c of cases) {
  test(`classify ${c.name}: API key → ${c.api}, subscription → ${c.oauth}`, () => {
    assert.equal(classifyAnthropicFailure(c.f).kind, c.api);
    assert.equal(classifyOAuthFailure(c.f).kind, c.oauth);
  });
}
