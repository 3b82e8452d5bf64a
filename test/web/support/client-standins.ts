// Stand-ins for the `claude`, `codex` and `gemini` binaries, for running the setup snippets the UI hands out in a
// real shell: each reads exactly what the real client reads (environment variables, ~/.codex/config.toml,
// ~/.gemini/settings.json) and sends the request the real client sends (CLIENTS.md §1.1, §2.1, §3.1), then checks
// the stream the way the client does. A misconfigured setup makes them fail the way the client would.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Shared by the three scripts (CommonJS, run by this Node). */
const COMMON = String.raw`
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const fail = (msg, code = 1) => { process.stderr.write(msg + '\n'); process.exit(code); };
/** Reads an SSE body; returns the parsed data objects (and the event names). */
async function readSse(res) {
  const text = await res.text();
  const events = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let name = null;
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) name = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (!data.length) continue;
    const raw = data.join('\n');
    if (raw === '[DONE]') continue;
    let json;
    try { json = JSON.parse(raw); } catch { fail('unparseable SSE data: ' + raw.slice(0, 200)); }
    events.push({ name: name ?? json.type, json });
  }
  return events;
}
async function post(url, headers, body) {
  let res;
  try {
    res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  } catch (e) {
    fail('connection failed: ' + url + ': ' + (e.cause?.message ?? e.message));
  }
  if (!res.ok) fail('unexpected status ' + res.status + ' from ' + url + ': ' + (await res.text()).slice(0, 500), res.status % 256 || 1);
  return res;
}
const prompt = () => {
  const args = process.argv.slice(2);
  const i = args.indexOf('-p');
  const p = i >= 0 ? args[i + 1] : args.find((a) => !a.startsWith('-') && a !== 'exec');
  if (!p) fail('no prompt');
  return p;
};
`;

/** Claude Code 2.1.197: ANTHROPIC_BASE_URL + ANTHROPIC_AUTH_TOKEN (Bearer) or ANTHROPIC_API_KEY (x-api-key). */
const CLAUDE = String.raw`
if (process.argv.includes('--version')) { process.stdout.write('2.1.197 (Claude Code stand-in)\n'); process.exit(0); }
(async () => {
  const text = prompt();
  const base = (process.env.ANTHROPIC_BASE_URL || 'https://api.anthropic.com').replace(/\/+$/, '');
  const token = process.env.ANTHROPIC_AUTH_TOKEN;
  const apiKey = process.env.ANTHROPIC_API_KEY;
  if (!token && !apiKey) fail('Not logged in · Please run /login', 1);
  // The connectivity probe: no auth, result ignored.
  await fetch(base, { method: 'HEAD', headers: { 'user-agent': 'Bun/1.4.0' } }).catch(() => undefined);
  const session = crypto.randomUUID();
  const headers = {
    ...(token ? { authorization: 'Bearer ' + token } : { 'x-api-key': apiKey }),
    'user-agent': 'claude-cli/2.1.197 (external, sdk-cli)',
    'x-app': 'cli',
    'anthropic-version': '2023-06-01',
    'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27',
    'anthropic-dangerous-direct-browser-access': 'true',
    'x-claude-code-session-id': session,
    'content-type': 'application/json',
    accept: 'application/json',
  };
  const body = {
    model: 'claude-sonnet-5',
    max_tokens: 64,
    stream: true,
    system: [{ type: 'text', text: "You are a Claude agent, built on Anthropic's Claude Agent SDK." }],
    messages: [{ role: 'user', content: [{ type: 'text', text }] }],
    metadata: { user_id: JSON.stringify({ device_id: 'd'.repeat(64), account_uuid: '', session_id: session }) },
  };
  const res = await post(base + '/v1/messages?beta=true', headers, body);
  const events = await readSse(res);
  if (!events.some((e) => e.name === 'message_stop')) fail('stream ended without message_stop');
  const out = events.filter((e) => e.json.type === 'content_block_delta' && e.json.delta.type === 'text_delta').map((e) => e.json.delta.text).join('');
  process.stdout.write(out + '\n');
})();
`;

/** Codex CLI 0.171: ~/.codex/config.toml's model_provider table (OPENAI_BASE_URL is ignored); Responses only. */
const CODEX = String.raw`
/** Just enough TOML for config.toml, strictly: [tables], key = "string" | true | false | integer; duplicates refused. */
function parseToml(src) {
  const root = {};
  let cur = root;
  const seen = new Set();
  src.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/\s+#.*$/, '').replace(/^#.*$/, '').trim();
    if (!line) return;
    const where = 'config.toml line ' + (i + 1) + ': ';
    const table = /^\[([A-Za-z0-9_.\-"\/ ]+)\]$/.exec(line);
    if (table) {
      const name = table[1].trim();
      if (seen.has(name)) fail(where + 'duplicate table [' + name + ']');
      seen.add(name);
      cur = root;
      for (const part of name.split('.')) cur = cur[part.replace(/"/g, '')] ??= {};
      return;
    }
    const kv = /^([A-Za-z0-9_\-]+)\s*=\s*(.+)$/.exec(line);
    if (!kv) fail(where + 'cannot parse: ' + line);
    const [, key, v] = kv;
    if (Object.prototype.hasOwnProperty.call(cur, key)) fail(where + 'duplicate key ' + key);
    if (/^"(?:[^"\\]|\\.)*"$/.test(v)) cur[key] = JSON.parse(v);
    else if (v === 'true' || v === 'false') cur[key] = v === 'true';
    else if (/^-?\d+$/.test(v)) cur[key] = Number(v);
    else fail(where + 'unsupported value: ' + v);
  });
  return root;
}
(async () => {
  const args = process.argv.slice(2);
  if (args[0] !== 'exec') fail('the stand-in only knows codex exec');
  const text = prompt();
  const home = process.env.CODEX_HOME || path.join(process.env.HOME, '.codex');
  const file = path.join(home, 'config.toml');
  if (!fs.existsSync(file)) fail('no ' + file + ' (the built-in openai provider would need a ChatGPT login)');
  const cfg = parseToml(fs.readFileSync(file, 'utf8'));
  const id = cfg.model_provider;
  if (!id) fail('config.toml: no model_provider');
  const p = cfg.model_providers?.[id];
  if (!p) fail('config.toml: model provider ' + id + ' not found');
  if (p.wire_api === 'chat') fail('config.toml: wire_api = "chat" is no longer supported');
  if (p.wire_api !== undefined && p.wire_api !== 'responses') fail('config.toml: unknown wire_api ' + p.wire_api);
  if (!p.base_url) fail('config.toml: provider ' + id + ' has no base_url');
  const key = p.env_key ? process.env[p.env_key] : undefined;
  if (p.env_key && !key) fail('Missing environment variable: ' + p.env_key);
  const thread = crypto.randomUUID();
  const meta = JSON.stringify({ session_id: thread, thread_id: thread, turn_id: crypto.randomUUID(), request_kind: 'turn', turn_trigger: 'exec' });
  const headers = {
    'x-codex-beta-features': 'remote_compaction_v2',
    'x-codex-window-id': thread + ':0',
    'x-codex-turn-metadata': meta,
    'x-client-request-id': thread,
    'session-id': thread,
    'thread-id': thread,
    accept: 'text/event-stream',
    'content-type': 'application/json',
    ...(key ? { authorization: 'Bearer ' + key } : {}),
    originator: 'codex_exec',
    'user-agent': 'codex_exec/0.171.0 (Debian 12.0.0; x86_64) xterm (codex_exec; 0.171.0)',
  };
  const body = {
    model: cfg.model ?? 'gpt-5.5',
    stream: true,
    input: [
      { type: 'message', id: 'msg_dev', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex, a coding agent.' }] },
      { type: 'message', id: 'msg_user', role: 'user', content: [{ type: 'input_text', text }] },
    ],
    tools: [],
    tool_choice: 'auto',
    parallel_tool_calls: true,
    reasoning: { effort: 'medium' },
    store: false,
    include: ['reasoning.encrypted_content'],
    prompt_cache_key: thread,
    text: { verbosity: 'low' },
    client_metadata: { thread_id: thread, session_id: thread },
  };
  const res = await post(p.base_url.replace(/\/+$/, '') + '/responses', headers, body);
  const events = await readSse(res);
  const done = events.find((e) => e.json.type === 'response.completed');
  if (!done) fail('stream closed before response.completed');
  if (!done.json.response?.id) fail('failed to parse ResponseCompleted: missing field id');
  const items = events.filter((e) => e.json.type === 'response.output_item.done').map((e) => e.json.item);
  const out = items.flatMap((it) => (it.type === 'message' ? it.content : [])).filter((c) => c.type === 'output_text').map((c) => c.text).join('');
  if (!out) fail('no answer (no output_item.done with text)');
  process.stdout.write(out + '\n');
})();
`;

/** Gemini CLI 0.61: GEMINI_API_KEY, GOOGLE_GEMINI_BASE_URL (path prefix kept) and settings.json's auth type. */
const GEMINI = String.raw`
(async () => {
  const text = prompt();
  const file = path.join(process.env.HOME, '.gemini', 'settings.json');
  let settings = {};
  if (fs.existsSync(file)) {
    try { settings = JSON.parse(fs.readFileSync(file, 'utf8')); } catch (e) { fail('Error in ' + file + ': ' + e.message); }
  }
  const base = process.env.GOOGLE_GEMINI_BASE_URL;
  const auth = settings.security?.auth?.selectedType;
  // A base URL without an explicit API-key auth type makes headless mode pick the gateway type and exit 41.
  if (auth !== 'gemini-api-key') fail('Please set an Auth method in ' + file + ' (selectedType is ' + auth + ')', 41);
  const key = process.env.GEMINI_API_KEY;
  if (!key) fail('GEMINI_API_KEY environment variable not found', 41);
  const root = (base || 'https://generativelanguage.googleapis.com').replace(/\/+$/, '');
  const model = 'gemini-2.5-flash';
  const headers = {
    'user-agent': 'GeminiCLI-tui/0.61.0/' + model + ' (linux; x64; terminal)',
    'x-goog-api-client': 'google-genai-sdk/1.30.0 gl-node/v20.20.2',
    'content-type': 'application/json',
    'x-goog-api-key': key,
    accept: '*/*',
  };
  const body = {
    contents: [{ role: 'user', parts: [{ text: '<session_context>stand-in</session_context>' }, { text }] }],
    systemInstruction: { parts: [{ text: 'You are a non-interactive CLI agent.' }] },
    generationConfig: { temperature: 1, topP: 0.95, topK: 64, thinkingConfig: { includeThoughts: true, thinkingBudget: 8192 } },
  };
  const res = await post(root + '/v1beta/models/' + model + ':streamGenerateContent?alt=sse', headers, body);
  const events = await readSse(res);
  const finished = events.some((e) => e.json.candidates?.some((c) => c.finishReason));
  if (!finished) fail('INVALID_STREAM: Model stream ended without a finish reason.');
  const out = events.flatMap((e) => e.json.candidates ?? []).flatMap((c) => c.content?.parts ?? []).filter((p) => !p.thought).map((p) => p.text ?? '').join('');
  process.stdout.write(out + '\n');
})();
`;

/** Writes `claude`, `codex` and `gemini` into `dir` (put it first on PATH); returns `dir`. */
export function writeStandIns(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, body] of [
    ['claude', CLAUDE],
    ['codex', CODEX],
    ['gemini', GEMINI],
  ] as const) {
    const file = join(dir, name);
    writeFileSync(file, `#!${process.execPath}\n'use strict';\n${COMMON}\n${body}`);
    chmodSync(file, 0o755);
  }
  return dir;
}
