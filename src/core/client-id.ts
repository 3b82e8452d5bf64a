// Which client sent a request, from its User-Agent and the shape of the request (CLIENTS.md). Used by the
// per-key client restriction. Pure; version drift tolerant (patterns, not exact versions).
import type { IncomingHttpHeaders } from 'node:http';
import type { ClientId } from './api-key.js';

const CLAUDE_CODE_UA = /^claude-cli\/\d+\.\d+\.\d+/i;
const CODEX_UA = /^codex_(exec|cli_rs|vscode)\//i;
const GEMINI_CLI_UA = /^GeminiCLI(-[a-z]+)?\//;

const header = (h: IncomingHttpHeaders, name: string): string => {
  const v = h[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
};

/**
 * The client, or null when it is none we know. Claude Code needs its User-Agent and one of its request marks
 * (`x-app`, the `claude-code-…` beta, or a Claude Code `metadata.user_id`) — a bare User-Agent is too easy to
 * type by accident; Codex needs its User-Agent or `originator`; Gemini CLI its User-Agent.
 */
export function identifyClient(headers: IncomingHttpHeaders, body?: Record<string, unknown>): ClientId | null {
  const ua = header(headers, 'user-agent');
  if (CLAUDE_CODE_UA.test(ua)) {
    const beta = header(headers, 'anthropic-beta');
    const userId = (body?.metadata as { user_id?: unknown } | undefined)?.user_id;
    const ccUserId = typeof userId === 'string' && (userId.includes('"session_id"') || /^user_[0-9a-f]{64}_account_/i.test(userId));
    if (header(headers, 'x-app') !== '' || /claude-code-/.test(beta) || ccUserId) return 'claude_code';
  }
  if (CODEX_UA.test(ua) || /^codex_/i.test(header(headers, 'originator'))) return 'codex_cli';
  if (GEMINI_CLI_UA.test(ua)) return 'gemini_cli';
  return null;
}
