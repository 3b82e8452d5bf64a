// Every setup the UI hands out, run for real against a running relay (no browser): the builder of
// web/src/utils/snippets.ts is imported as is; each bash snippet runs in `bash -c` with a scratch HOME and stand-ins
// for claude / codex / gemini on PATH that send what the real clients send (test/web/support/client-standins.ts);
// the persisted variant is checked from a fresh shell; the curl check runs as written. PowerShell and cmd cannot run
// here: their lines are read (support/snippet-shells.ts) and must set the same variables and write the same files as
// the bash run did, and their HTTP checks are sent as they would be.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeUpstream, type FakeUpstream } from '../support/fake-upstream/index.js';
import { startRelay, type TestRelay } from '../support/harness.js';
import { writeStandIns } from './support/client-standins.js';
import { cmdArgv, parseCmd, parseInvokeRestMethod, parsePowerShell, type ShellEffect } from './support/snippet-shells.js';
import {
  CLIENTS,
  clientSetup,
  clientsFor,
  codexConfig,
  GEMINI_SETTINGS,
  snippet,
  statusLine,
  verifyModel,
  type Client,
  type KeyAccess,
  type Scope,
} from '../../web/src/utils/snippets.js';

const SCOPES: Scope[] = ['session', 'persist'];
const OPENAI_KEY = 'sk-proj-snippet-test-account-key';

/** Runs a program without blocking the event loop (the relay answering it lives in this process). */
function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env: Object.keys(env).length ? env : process.env, timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    p.on('error', reject);
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

interface BashRun {
  status: number | null;
  stdout: string;
  stderr: string;
  home: string;
}

describe('setup snippets against a running relay', () => {
  let fake: FakeUpstream;
  let relay: TestRelay;
  let bin: string;
  let scratch: string;
  let key: { id: string; key: string };
  let geminiMissing: string | null = null;

  before(async () => {
    fake = await createFakeUpstream();
    relay = await startRelay();
    await relay.addAccount(fake.url, { name: 'claude-api', apiKey: 'sk-ant-api03-snippet-test' });
    const oa = await relay.admin('POST', '/accounts', { kind: 'openai-api', name: 'openai-api', apiKey: OPENAI_KEY, baseUrl: `${fake.url}/v1` });
    assert.equal(oa.status, 201, JSON.stringify(oa.json));
    const meta = await relay.admin('GET', '/meta');
    const geminiKind = (meta.json.accountKinds as { kind: string; protocol: string; oauth: boolean }[]).find((k) => k.protocol === 'gemini' && !k.oauth);
    if (geminiKind) {
      const ga = await relay.admin('POST', '/accounts', {
        kind: geminiKind.kind,
        name: 'gemini-api',
        apiKey: 'AIzaSy-snippet-test-account-key-000000',
        baseUrl: fake.url,
      });
      assert.equal(ga.status, 201, `a ${geminiKind.kind} account on the fake: ${JSON.stringify(ga.json)}`);
    }
    await relay.relay.pool.reload();
    key = await relay.createKey({ name: 'snippets' });
    scratch = mkdtempSync(join(tmpdir(), 'crs-snippets-'));
    bin = writeStandIns(join(scratch, 'bin'));
    // The Gemini surface is being built: until /gemini exists, its run is skipped (visibly), not failed.
    const probe = await fetch(`${relay.url}/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'x-goog-api-key': key.key, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'probe' }] }] }),
    });
    await probe.body?.cancel();
    if (probe.status === 404) geminiMissing = `the relay has no /gemini surface yet (POST /gemini/v1beta/… answered 404)`;
  });
  after(async () => {
    await relay?.close();
    await fake?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** Runs a script in bash with a scratch HOME (or the given one) and only the stand-ins and the system on PATH. */
  async function bash(script: string, home?: string): Promise<BashRun> {
    const h = home ?? mkdtempSync(join(scratch, 'home-'));
    const r = await run('bash', ['-c', script], { HOME: h, PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`, LANG: 'C.UTF-8', TMPDIR: scratch });
    return { ...r, home: h };
  }
  const ok = (r: BashRun, what: string) => assert.equal(r.status, 0, `${what} failed (exit ${r.status}):\n${r.stderr}\n${r.stdout}`);
  /** The variables a script leaves set, read by the shell itself after it ran. */
  const ENV_DUMP = `\n${process.execPath} -e 'process.stdout.write("\\n@@ENV@@" + JSON.stringify(process.env))'`;
  const envAfter = (r: BashRun) => JSON.parse(r.stdout.split('@@ENV@@')[1]) as Record<string, string>;

  async function recordedCount(): Promise<number> {
    return (await relay.recorded(key.id, 0)).length;
  }
  async function expectRecorded(before: number, what: string): Promise<void> {
    const rows = await relay.recorded(key.id, before + 1);
    assert.ok(rows.length > before, `${what}: the relay recorded the request`);
    assert.ok(rows[0].status >= 200 && rows[0].status < 300, `${what}: recorded status ${rows[0].status}`);
  }
  const lastUpstreamPath = () => fake.requests.at(-1)?.path;

  const UPSTREAM_PATH: Record<Client, string> = {
    claude: '/v1/messages',
    codex: '/v1/responses',
    gemini: '/v1beta/models/gemini-2.5-flash:streamGenerateContent',
    openai: '/v1/messages',
  };

  for (const client of CLIENTS) {
    for (const scope of SCOPES) {
      test(`${client} (${scope}): the bash setup and its check work against the relay`, async (t) => {
        if (client === 'gemini' && geminiMissing) return t.skip(geminiMissing);
        const s = clientSetup(client, 'bash', scope, key.key, relay.url);
        const n = await recordedCount();
        const r = await bash(`${s.setup}\n${s.verify}`);
        ok(r, `${client} ${scope}`);
        if (client === 'openai') {
          const body = JSON.parse(r.stdout) as { choices?: { message: { content: string } }[]; error?: unknown };
          assert.ok(body.choices?.[0]?.message.content, `a chat completion: ${r.stdout}`);
        } else assert.ok(r.stdout.trim().length > 0, 'the client printed an answer');
        await expectRecorded(n, client);
        assert.equal(lastUpstreamPath(), UPSTREAM_PATH[client], 'the upstream request the relay made');
        if (scope === 'persist') {
          // A new terminal later: only what was persisted (the rc file, the config files) is there.
          const again = await bash(`. ~/.bashrc\n${s.verify}`, r.home);
          ok(again, `${client} from a new shell`);
          await expectRecorded(n + 1, `${client} from a new shell`);
        }
      });
    }
  }

  test('codex and gemini: an existing config file is kept once as .bak and the setup can be run twice', async (t) => {
    const home = mkdtempSync(join(scratch, 'home-'));
    mkdirSync(join(home, '.codex'));
    const mine = 'model = "o3"\n\n[projects."/src/app"]\ntrust_level = "trusted"\n';
    writeFileSync(join(home, '.codex/config.toml'), mine);
    const s = clientSetup('codex', 'bash', 'session', key.key, relay.url);
    ok(await bash(s.setup, home), 'first run');
    ok(await bash(`${s.setup}\n${s.verify}`, home), 'second run and check');
    assert.equal(readFileSync(join(home, '.codex/config.toml.bak'), 'utf8'), mine, 'the original is kept');
    assert.equal(readFileSync(join(home, '.codex/config.toml'), 'utf8'), codexConfig(relay.url).join('\n') + '\n');
    const g = clientSetup('gemini', 'bash', 'session', key.key, relay.url);
    ok(await bash(`${g.setup}\n${g.setup}`, home), 'gemini twice');
    assert.deepEqual(JSON.parse(readFileSync(join(home, '.gemini/settings.json'), 'utf8')), JSON.parse(GEMINI_SETTINGS));
    // The second run found the first run's file and kept it; a third run would keep that .bak as it is.
    assert.equal(readFileSync(join(home, '.gemini/settings.json.bak'), 'utf8'), GEMINI_SETTINGS + '\n');
    if (geminiMissing) t.diagnostic(`gemini request not sent: ${geminiMissing}`);
  });

  test('the Codex config is the one CLIENTS.md §0 describes', () => {
    assert.deepEqual(codexConfig('http://relay.example:3000'), [
      'model_provider = "relay"',
      'check_for_update_on_startup = false',
      '',
      '[model_providers.relay]',
      'name = "Claude Relay Service"',
      'base_url = "http://relay.example:3000/openai/v1"',
      'env_key = "RELAY_API_KEY"',
      'wire_api = "responses"',
      '',
      '[analytics]',
      'enabled = false',
      '',
      '[features]',
      'plugins = false',
    ]);
    assert.deepEqual(JSON.parse(GEMINI_SETTINGS).security, { auth: { selectedType: 'gemini-api-key' } });
  });

  /** What the bash variant of a setup leaves behind: variables of the terminal, the rc file's and the files written. */
  async function bashEffect(client: Client, scope: Scope): Promise<ShellEffect & { names: string[] }> {
    const s = clientSetup(client, 'bash', scope, key.key, relay.url);
    const r = await bash(s.setup + ENV_DUMP);
    ok(r, `${client} bash ${scope}`);
    const env = envAfter(r);
    const names = [...s.setup.matchAll(/^export (\w+)=/gm)].map((m) => m[1]);
    const pick = (src: Record<string, string>) => Object.fromEntries(names.map((k) => [k, src[k]]));
    const rc = existsSync(join(r.home, '.bashrc')) ? readFileSync(join(r.home, '.bashrc'), 'utf8') : '';
    const persisted = Object.fromEntries([...rc.matchAll(/^export (\w+)="(.*)"$/gm)].map((m) => [m[1], m[2]]));
    const files: Record<string, string> = {};
    for (const f of ['.codex/config.toml', '.gemini/settings.json']) if (existsSync(join(r.home, f))) files[f] = readFileSync(join(r.home, f), 'utf8');
    return { env: pick(env), persisted, files, names };
  }

  for (const client of CLIENTS) {
    for (const scope of SCOPES) {
      test(`${client} (${scope}): PowerShell and cmd set the same variables and write the same files as bash`, async () => {
        const want = await bashEffect(client, scope);
        assert.ok(want.names.length > 0);
        const bashVerify = clientSetup(client, 'bash', scope, key.key, relay.url).verify;
        for (const shell of ['powershell', 'cmd'] as const) {
          const s = clientSetup(client, shell, scope, key.key, relay.url);
          const got = shell === 'powershell' ? parsePowerShell(s.setup) : parseCmd(s.setup);
          assert.deepEqual(got.env, want.env, `${shell}: variables of the terminal`);
          assert.deepEqual(got.persisted, scope === 'persist' ? want.env : {}, `${shell}: persisted variables`);
          const norm = (f: Record<string, string>) => Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v.replace(/\r\n/g, '\n')]));
          assert.deepEqual(norm(got.files), want.files, `${shell}: files`);
          if (client !== 'openai') assert.equal(s.verify, bashVerify, `${shell}: the same check command`);
        }
        if (scope === 'persist') assert.deepEqual(want.persisted, want.env, 'bash: the rc file holds the same variables');
      });
    }
  }

  async function expectChatOk(res: Response, what: string): Promise<void> {
    const text = await res.text();
    assert.equal(res.status, 200, `${what}: ${text}`);
    assert.ok((JSON.parse(text) as { choices: { message: { content: string } }[] }).choices[0].message.content, `${what}: an answer`);
  }

  test('the OpenAI-compatible check: PowerShell (Invoke-RestMethod) and cmd (curl) requests get an answer', async () => {
    const ps = clientSetup('openai', 'powershell', 'session', key.key, relay.url);
    const psEnv = parsePowerShell(ps.setup).env;
    const req = parseInvokeRestMethod(ps.verify, psEnv);
    const n = await recordedCount();
    await expectChatOk(await fetch(req.url, { method: req.method, headers: req.headers, body: req.body }), 'PowerShell check');
    await expectRecorded(n, 'PowerShell check');
    const cmd = clientSetup('openai', 'cmd', 'session', key.key, relay.url);
    const argv = cmdArgv(cmd.verify, parseCmd(cmd.setup).env);
    assert.equal(argv[0], 'curl');
    const r = await run('curl', argv.slice(1));
    assert.equal(r.status, 0, r.stderr);
    assert.ok((JSON.parse(r.stdout) as { choices: { message: { content: string } }[] }).choices[0].message.content, `cmd check: ${r.stdout}`);
    await expectRecorded(n + 1, 'cmd check');
  });

  test('the setups offered follow the key’s services, and a setup that is not offered would indeed be refused', async () => {
    const a = (services: string[], models?: KeyAccess['models']): KeyAccess => ({ services, models });
    assert.deepEqual(clientsFor(undefined), ['claude', 'codex', 'gemini', 'openai']);
    assert.deepEqual(clientsFor(a([])), ['claude', 'codex', 'gemini', 'openai']);
    assert.deepEqual(clientsFor(a(['claude'])), ['claude', 'openai']);
    assert.deepEqual(clientsFor(a(['openai'])), ['codex', 'openai']);
    assert.deepEqual(clientsFor(a(['gemini'])), ['gemini']);
    assert.equal(verifyModel(a(['claude'])), 'claude-sonnet-4-5');
    assert.equal(verifyModel(a(['openai'])), 'gpt-5-mini');
    assert.equal(verifyModel(a([], { mode: 'allow', list: ['claude-opus-4-8'] })), 'claude-opus-4-8');
    assert.equal(verifyModel(a([], { mode: 'deny', list: ['claude-sonnet-*'] })), 'claude-haiku-4-5');
    assert.equal(verifyModel(a(['gemini'])), null);
    assert.deepEqual(clientsFor(a(['claude'], { mode: 'allow', list: ['gpt-5'] })), ['claude'], 'no model the SDK check could use');

    // An OpenAI-only key: Codex and the SDK check (with an OpenAI model, passed through to the openai-api account) work …
    const openaiOnly = await relay.createKey({ name: 'openai-only', permissions: ['openai'] });
    const access = a(['openai']);
    for (const c of clientsFor(access)) {
      const s = clientSetup(c, 'bash', 'session', openaiOnly.key, relay.url, access);
      const r = await bash(`${s.setup}\n${s.verify}`);
      ok(r, `${c} with an openai-only key`);
      if (c === 'openai') {
        assert.ok((JSON.parse(r.stdout) as { choices: unknown[] }).choices, r.stdout);
        assert.equal(lastUpstreamPath(), '/v1/chat/completions', 'an OpenAI model goes to the OpenAI account');
      }
    }
    // … and Claude Code, which is not offered for it, would be refused.
    const claude = clientSetup('claude', 'bash', 'session', openaiOnly.key, relay.url);
    const refused = await bash(`${claude.setup}\n${claude.verify}`);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /unexpected status 403/);
  });

  test('the dashboard’s Claude Code snippet and the key-holder page’s status line work as shown', async () => {
    const n = await recordedCount();
    const r = await bash(snippet('claude', 'bash', 'session', key.key, relay.url));
    ok(r, 'dashboard snippet');
    await expectRecorded(n, 'dashboard snippet');
    const claude = clientSetup('claude', 'bash', 'session', key.key, relay.url);
    const line = await bash(`${claude.setup}\n${statusLine(relay.url)}`);
    ok(line, 'status line');
    assert.ok(line.stdout.trim().length > 0 && !line.stdout.includes('"error"'), `one line of usage: ${line.stdout}`);
    assert.ok(!line.stdout.trim().includes('\n'), 'a single line');
  });

  test('a placeholder key stays literal in every shell', async () => {
    for (const client of CLIENTS) {
      const ps = parsePowerShell(clientSetup(client, 'powershell', 'persist', '<your key>', relay.url).setup);
      const cmd = parseCmd(clientSetup(client, 'cmd', 'persist', '<your key>', relay.url).setup);
      assert.ok(Object.values(ps.env).includes('<your key>') && Object.values(cmd.env).includes('<your key>'), client);
      const b = await bash(clientSetup(client, 'bash', 'session', '<your key>', relay.url).setup + ENV_DUMP);
      ok(b, `${client} placeholder`);
      assert.ok(Object.values(envAfter(b)).includes('<your key>'), client);
    }
  });
});
