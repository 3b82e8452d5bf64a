// Classifies a failed answer to a subscription (OAuth) account: the Anthropic rules, plus the messages that only
// OAuth tokens get (PROTOCOLS 1.1). The health policy decides what each class does to the account.
import type { FailureClass, UpstreamFailure } from '../../scheduling/failure.js';
import { classifyAnthropicFailure } from '../anthropic-api/errors.js';

function message(f: UpstreamFailure): string {
  const b = f.body as { error?: { message?: unknown } } | undefined;
  return typeof b?.error?.message === 'string' ? b.error.message : '';
}

const OAUTH_ORG_NOT_ALLOWED = /^oauth authentication is currently not allowed for this organi[sz]ation\b/i;

export function classifyOAuthFailure(f: UpstreamFailure): FailureClass {
  const msg = message(f);
  // The token is for Claude Code only and this request is not Claude Code: no account of this kind does better,
  // and the relay does not disguise the client to get around it.
  if (/only authorized for use with claude code|cannot be used for other api requests/i.test(msg)) {
    return { kind: 'client_error', reason: msg };
  }
  // The ban of a subscription's organisation (PROTOCOLS 1.1, CRS #990): 403 permission_error with this message.
  // Anchored, like every account-level signal, so text a client put in its request cannot match.
  if ((f.status === 400 || f.status === 403) && OAUTH_ORG_NOT_ALLOWED.test(msg.trim())) return { kind: 'blocked', reason: msg };
  if (/oauth token has expired|oauth authentication is currently not supported/i.test(msg)) return { kind: 'unauthorized', reason: msg };
  return classifyAnthropicFailure(f);
}
