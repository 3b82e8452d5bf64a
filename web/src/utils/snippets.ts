// Ready-to-paste client setup for a relay key (CLIENTS.md §0): Claude Code, Codex CLI, Gemini CLI and the OpenAI
// SDKs (and tools that read OPENAI_BASE_URL / OPENAI_API_KEY), each for bash/zsh, PowerShell and cmd, either for the
// current terminal or persisted, plus the verify step. Pure string building: the origin is passed in, so the
// snippet tests import this file from Node and run what it builds against a real relay.

export type Client = 'claude' | 'codex' | 'gemini' | 'openai';
export type Shell = 'bash' | 'powershell' | 'cmd';
export type Scope = 'session' | 'persist';
export type Service = 'claude' | 'openai' | 'gemini';

export const CLIENTS: Client[] = ['claude', 'codex', 'gemini', 'openai'];
export const SHELLS: Shell[] = ['bash', 'powershell', 'cmd'];

/** What a key may use, as far as the setups care: its services (empty = all) and its model restriction. */
export interface KeyAccess {
  services: string[];
  models?: { mode: 'allow' | 'deny'; list: string[] } | null;
}

/** The setup of one client in one shell: what to run once, then the check that the client reaches the relay. */
export interface Setup {
  setup: string;
  verify: string;
}

/** The relay's origin as clients should reach it (the page's own origin, no trailing slash). Browser only. */
export function relayOrigin(): string {
  // globalThis rather than window: this module is also compiled for Node (the snippet tests import it).
  return (globalThis as unknown as { location: { origin: string } }).location.origin.replace(/\/+$/, '');
}

const serviceAllowed = (a: KeyAccess | undefined, s: Service) => !a || a.services.length === 0 || a.services.includes(s);

// The relay's model matching (src/accounting/limits.ts): `x*` is a prefix; a listed model covers its dated ids.
function matches(pattern: string, model: string): boolean {
  const p = pattern.toLowerCase();
  const m = model.toLowerCase();
  if (p.endsWith('*')) return m.startsWith(p.slice(0, -1));
  return m === p || m.startsWith(p + '-2');
}
const modelAllowed = (a: KeyAccess | undefined, model: string) =>
  !a?.models || a.models.list.length === 0 || (a.models.mode === 'allow') === a.models.list.some((p) => matches(p, model));

const CLAUDE_CANDIDATES = ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-5'];
const OPENAI_CANDIDATES = ['gpt-5-mini', 'gpt-5', 'gpt-4.1-mini'];

/**
 * The model the OpenAI-compatible check asks for: a Claude model (served by the Claude accounts) when the key may
 * use Claude, else an OpenAI model; one the key's model restriction lets through. Null when none is allowed.
 */
export function verifyModel(access?: KeyAccess): string | null {
  const claude = serviceAllowed(access, 'claude');
  const openai = serviceAllowed(access, 'openai');
  const fits = (m: string) => (m.startsWith('claude-') ? claude : m.startsWith('gemini-') ? false : openai);
  const listed = access?.models?.mode === 'allow' ? access.models.list.filter((m) => !m.includes('*') && fits(m)) : [];
  const ordered = [...listed.filter((m) => m.startsWith('claude-')), ...listed.filter((m) => !m.startsWith('claude-'))];
  const defaults = [...(claude ? CLAUDE_CANDIDATES : []), ...(openai ? OPENAI_CANDIDATES : [])];
  return [...ordered, ...defaults].find((m) => modelAllowed(access, m)) ?? null;
}

/** The setups that can work for a key: each client needs a service the key may call (and, for the SDK check, a model). */
export function clientsFor(access?: KeyAccess): Client[] {
  return CLIENTS.filter((c) => {
    if (c === 'claude') return serviceAllowed(access, 'claude');
    if (c === 'codex') return serviceAllowed(access, 'openai');
    if (c === 'gemini') return serviceAllowed(access, 'gemini');
    return (serviceAllowed(access, 'claude') || serviceAllowed(access, 'openai')) && verifyModel(access) !== null;
  });
}

/** Environment variables for this terminal, or persisted (shell rc file / user environment) and for this terminal. */
function envLines(shell: Shell, scope: Scope, vars: [string, string][]): string[] {
  if (shell === 'bash') {
    const lines = vars.map(([k, v]) => `export ${k}="${v}"`);
    if (scope === 'session') return lines;
    // zsh (macOS) reads ~/.zshrc, bash ~/.bashrc; the same lines then apply to this terminal too.
    return ['RC=~/.bashrc; if [ -n "$ZSH_VERSION" ]; then RC=~/.zshrc; fi', `cat >> "$RC" <<'EOF'`, ...lines, 'EOF', ...lines];
  }
  if (shell === 'powershell') {
    const lines = vars.map(([k, v]) => `$env:${k} = "${v}"`);
    return scope === 'session' ? lines : [...vars.map(([k, v]) => `[Environment]::SetEnvironmentVariable("${k}", "${v}", "User")`), ...lines];
  }
  // `set "K=V"` keeps characters such as < > & in the value literal.
  const lines = vars.map(([k, v]) => `set "${k}=${v}"`);
  return scope === 'session' ? lines : [...vars.map(([k, v]) => `setx ${k} "${v}"`), ...lines];
}

/** ~/.codex/config.toml: a provider for the relay with the Responses wire (CLIENTS.md §0). */
export function codexConfig(origin: string): string[] {
  return [
    'model_provider = "relay"',
    'check_for_update_on_startup = false',
    '',
    '[model_providers.relay]',
    'name = "Claude Relay Service"',
    `base_url = "${origin}/openai/v1"`,
    'env_key = "RELAY_API_KEY"',
    'wire_api = "responses"',
    '',
    '[analytics]',
    'enabled = false',
    '',
    '[features]',
    'plugins = false',
  ];
}

/** ~/.gemini/settings.json: the API-key auth type (else headless mode exits 41) and no phoning home. */
export const GEMINI_SETTINGS =
  '{"security":{"auth":{"selectedType":"gemini-api-key"}},"privacy":{"usageStatisticsEnabled":false},"telemetry":{"enabled":false},"general":{"enableAutoUpdate":false}}';

/** cmd's echo: escape ^ & | < > ( ) outside double quotes (inside them cmd keeps them, and a caret would print). */
function cmdEcho(line: string): string {
  if (line === '') return 'echo.';
  let out = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    out += !quoted && /[\^&|<>()]/.test(ch) ? `^${ch}` : ch;
  }
  return `echo ${out}`;
}

/**
 * Writes ~/<dir>/<file> (UTF-8 without a byte-order mark, which Node's JSON.parse would refuse). A file already there
 * is kept once as <file>.bak, so running the setup again does not lose the original.
 */
function fileLines(shell: Shell, dir: string, file: string, content: string[]): string[] {
  if (shell === 'bash') {
    const p = `~/${dir}/${file}`;
    return [`mkdir -p ~/${dir}`, `if [ -f ${p} ] && [ ! -f ${p}.bak ]; then cp ${p} ${p}.bak; fi`, `cat > ${p} <<'EOF'`, ...content, 'EOF'];
  }
  if (shell === 'powershell') {
    const p = `$HOME\\${dir}\\${file}`;
    return [
      `New-Item -ItemType Directory -Force "$HOME\\${dir}" | Out-Null`,
      `if ((Test-Path "${p}") -and -not (Test-Path "${p}.bak")) { Copy-Item "${p}" "${p}.bak" }`,
      `$text = @'`,
      ...content,
      `'@`,
      `[IO.File]::WriteAllText("${p}", $text + "\`n")`,
    ];
  }
  const d = `"%USERPROFILE%\\${dir}"`;
  const p = `"%USERPROFILE%\\${dir}\\${file}"`;
  const bak = `"%USERPROFILE%\\${dir}\\${file}.bak"`;
  return [`if not exist ${d} mkdir ${d}`, `if exist ${p} if not exist ${bak} copy ${p} ${bak} >nul`, `(${content.map(cmdEcho).join('& ')}) > ${p}`];
}

/** The JSON body of the Chat Completions check. */
export function chatBody(model: string): string {
  return JSON.stringify({ model, max_tokens: 64, messages: [{ role: 'user', content: 'Say hello' }] });
}

function chatVerify(shell: Shell, model: string): string[] {
  const body = chatBody(model);
  if (shell === 'bash')
    return [
      'curl -sS "$OPENAI_BASE_URL/chat/completions" \\',
      '  -H "Authorization: Bearer $OPENAI_API_KEY" -H "Content-Type: application/json" \\',
      `  -d '${body}'`,
    ];
  if (shell === 'powershell') {
    // Invoke-RestMethod rather than curl: Windows PowerShell 5.1 mangles quotes passed to native programs.
    return [
      '$req = @{',
      "  Method = 'Post'",
      '  Uri = "$env:OPENAI_BASE_URL/chat/completions"',
      '  Headers = @{ Authorization = "Bearer $env:OPENAI_API_KEY" }',
      "  ContentType = 'application/json'",
      `  Body = '${body}'`,
      '}',
      'Invoke-RestMethod @req',
    ];
  }
  return [
    `curl -sS "%OPENAI_BASE_URL%/chat/completions" -H "Authorization: Bearer %OPENAI_API_KEY%" -H "Content-Type: application/json" -d "${body.replace(/"/g, '\\"')}"`,
  ];
}

/** The setup of one client for one shell; `key` is the real key (only in the once-dialog) or a placeholder. */
export function clientSetup(client: Client, shell: Shell, scope: Scope, key: string, origin: string, access?: KeyAccess): Setup {
  const base = origin.replace(/\/+$/, '');
  let setup: string[];
  let verify: string[];
  if (client === 'claude') {
    setup = envLines(shell, scope, [
      ['ANTHROPIC_BASE_URL', `${base}/api`],
      ['ANTHROPIC_AUTH_TOKEN', key],
      ['CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC', '1'],
      ['DISABLE_TELEMETRY', '1'],
    ]);
    verify = ['claude --version', 'claude -p "Say hello"'];
  } else if (client === 'codex') {
    setup = [...fileLines(shell, '.codex', 'config.toml', codexConfig(base)), ...envLines(shell, scope, [['RELAY_API_KEY', key]])];
    verify = ['codex exec "Say hello"'];
  } else if (client === 'gemini') {
    setup = [
      ...fileLines(shell, '.gemini', 'settings.json', [GEMINI_SETTINGS]),
      ...envLines(shell, scope, [
        ['GEMINI_API_KEY', key],
        ['GOOGLE_GEMINI_BASE_URL', `${base}/gemini`],
      ]),
    ];
    verify = ['gemini -p "Say hello"'];
  } else {
    setup = envLines(shell, scope, [
      ['OPENAI_BASE_URL', `${base}/openai/v1`],
      ['OPENAI_API_KEY', key],
    ]);
    verify = chatVerify(shell, verifyModel(access) ?? CLAUDE_CANDIDATES[0]);
  }
  return { setup: setup.join('\n'), verify: verify.join('\n') };
}

/** Setup and verify as one text (what "copy all" copies). */
export function snippet(client: Client, shell: Shell, scope: Scope, key: string, origin: string, access?: KeyAccess): string {
  const s = clientSetup(client, shell, scope, key, origin, access);
  return `${s.setup}\n\n${s.verify}`;
}

/** Claude Code's status line: one line of the key's usage, with the key Claude Code's setup exported (bash). */
export function statusLine(origin: string): string {
  return `curl -s -H "x-api-key: $ANTHROPIC_AUTH_TOKEN" "${origin.replace(/\/+$/, '')}/stats/api/me?format=text"`;
}
