import { test } from 'node:test';
import assert from 'node:assert/strict';
import { identifyClient } from './client-id.js';

const cases: { name: string; headers: Record<string, string>; body?: Record<string, unknown>; want: string | null }[] = [
  { name: 'Claude Code 2.1.197 (sdk-cli, x-app)', headers: { 'user-agent': 'claude-cli/2.1.197 (external, sdk-cli)', 'x-app': 'cli' }, want: 'claude_code' },
  {
    name: 'Claude Code in VS Code, beta only',
    headers: { 'user-agent': 'claude-cli/2.0.1 (external, claude-vscode)', 'anthropic-beta': 'claude-code-20250219,x' },
    want: 'claude_code',
  },
  {
    name: 'Claude Code by its JSON user_id',
    headers: { 'user-agent': 'claude-cli/2.1.0 (external, cli)' },
    body: { metadata: { user_id: '{"device_id":"x","account_uuid":"","session_id":"s"}' } },
    want: 'claude_code',
  },
  { name: 'a bare claude-cli User-Agent is not enough', headers: { 'user-agent': 'claude-cli/2.1.0 (external, cli)' }, want: null },
  { name: 'the Anthropic SDK is not Claude Code', headers: { 'user-agent': 'Anthropic/JS 1.14.0', 'x-app': 'cli' }, want: null },
  { name: 'Codex exec', headers: { 'user-agent': 'codex_exec/0.171.0 (Debian 12.0.0; x86_64) xterm', originator: 'codex_exec' }, want: 'codex_cli' },
  { name: 'Codex by originator only', headers: { 'user-agent': 'reqwest', originator: 'codex_cli_rs' }, want: 'codex_cli' },
  { name: 'Codex VS Code', headers: { 'user-agent': 'codex_vscode/1.2.3' }, want: 'codex_cli' },
  { name: 'Gemini CLI tui', headers: { 'user-agent': 'GeminiCLI-tui/0.61.0/gemini-2.5-flash (linux; x64; terminal)' }, want: 'gemini_cli' },
  { name: 'Gemini CLI plain', headers: { 'user-agent': 'GeminiCLI/0.30.0/gemini-2.5-pro (darwin; arm64)' }, want: 'gemini_cli' },
  { name: 'curl', headers: { 'user-agent': 'curl/8.5.0' }, want: null },
  { name: 'no User-Agent', headers: {}, want: null },
];
for (const c of cases) test(c.name, () => assert.equal(identifyClient(c.headers, c.body), c.want));
