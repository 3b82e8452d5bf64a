// Account kind → provider adapter.
import type { AccountKind } from '../core/account.js';
import { anthropicApiAdapter } from './anthropic-api/auth.js';
import { anthropicOAuthAdapter } from './anthropic-oauth/auth.js';
import type { ProviderAdapter } from './types.js';

const ADAPTERS: Record<AccountKind, ProviderAdapter> = {
  'anthropic-api': anthropicApiAdapter as ProviderAdapter,
  'anthropic-oauth': anthropicOAuthAdapter as ProviderAdapter,
};

export function adapterFor(kind: AccountKind): ProviderAdapter {
  return ADAPTERS[kind];
}
