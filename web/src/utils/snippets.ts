// Ready-to-paste client setup for a relay key (CLIENTS.md §0): Claude Code, Codex CLI and Gemini CLI, each for
// bash/zsh, PowerShell and cmd, either for the current terminal or persisted. Pure string building.

export type Client = 'claude' | 'codex' | 'gemini';
export type Shell = 'bash' | 'powershell' | 'cmd';
export type Scope = 'session' | 'persist';

export const CLIENTS: Client[] = ['claude', 'codex', 'gemini'];
export const SHELLS: Shell[] = ['bash', 'powershell', 'cmd'];

/** The relay's origin as clients should reach it (the page's own origin, no trailing slash). */
export function relayOrigin(): string {
  return window.location.origin.replace(/\/+$/, '');
}

function envLines(shell: Shell, scope: Scope, vars: [string, string][]): string[] {
  if (shell === 'bash') {
    const lines = vars.map(([k, v]) => `export ${k}="${v}"`);
    return scope === 'session' ? lines : ['cat >> ~/.bashrc <<\'EOF\'   # or ~/.zshrc', ...lines, 'EOF', 'source ~/.bashrc'];
  }
  if (shell === 'powershell') {
    return scope === 'session'
      ? vars.map(([k, v]) => `$env:${k} = "${v}"`)
      : vars.flatMap(([k, v]) => [`[Environment]::SetEnvironmentVariable("${k}", "${v}", "User")`, `$env:${k} = "${v}"`]);
  }
  return scope === 'session' ? vars.map(([k, v]) => `set ${k}=${v}`) : vars.flatMap(([k, v]) => [`setx ${k} "${v}"`, `set ${k}=${v}`]);
}

const CODEX_TOML = (base: string) => [
  'model_provider = "relay"',
  'check_for_update_on_startup = false',
  '',
  '[model_providers.relay]',
  'name = "Claude Relay Service"',
  `base_url = "${base}/openai/v1"`,
  'env_key = "RELAY_API_KEY"',
  'wire_api = "responses"',
  '',
  '[analytics]',
  'enabled = false',
  '',
  '[features]',
  'plugins = false',
];

const GEMINI_SETTINGS = '{"security":{"auth":{"selectedType":"gemini-api-key"}},"privacy":{"usageStatisticsEnabled":false},"telemetry":{"enabled":false},"general":{"enableAutoUpdate":false}}';

function fileLines(shell: Shell, dir: string, file: string, content: string[], append: boolean): string[] {
  if (shell === 'bash') return [`mkdir -p ~/${dir}`, `cat ${append ? '>>' : '>'} ~/${dir}/${file} <<'EOF'`, ...content, 'EOF'];
  if (shell === 'powershell') {
    const path = `$HOME\\${dir}\\${file}`;
    return [`New-Item -ItemType Directory -Force "$HOME\\${dir}" | Out-Null`, `@'`, ...content, `'@ | ${append ? 'Add-Content' : 'Set-Content'} -Encoding utf8 "${path}"`];
  }
  const path = `"%USERPROFILE%\\${dir}\\${file}"`;
  const body = content.map((l) => (l === '' ? 'echo.' : `echo ${l.replace(/([&|<>^])/g, '^$1')}`));
  return [`if not exist "%USERPROFILE%\\${dir}" mkdir "%USERPROFILE%\\${dir}"`, `(${body.join('& ')}) ${append ? '>>' : '>'} ${path}`];
}

/** The setup text for one client/shell/scope; `key` is the real key (only in the once-dialog) or a placeholder. */
export function snippet(client: Client, shell: Shell, scope: Scope, key: string, origin = relayOrigin()): string {
  const comment = shell === 'cmd' ? 'REM' : '#';
  let lines: string[];
  if (client === 'claude') {
    lines = [
      ...envLines(shell, scope, [
        ['ANTHROPIC_BASE_URL', `${origin}/api`],
        ['ANTHROPIC_AUTH_TOKEN', key],
        ['CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC', '1'],
        ['DISABLE_TELEMETRY', '1'],
      ]),
      '',
      `${comment} verify`,
      'claude --version',
      'claude -p "Say hello"',
    ];
  } else if (client === 'codex') {
    lines = [
      `${comment} ~/.codex/config.toml (merge by hand if you already have one)`,
      ...fileLines(shell, '.codex', 'config.toml', CODEX_TOML(origin), true),
      ...envLines(shell, scope, [['RELAY_API_KEY', key]]),
      '',
      `${comment} verify`,
      'codex exec "Say hello"',
    ];
  } else {
    lines = [
      `${comment} ~/.gemini/settings.json (merge by hand if you already have one)`,
      ...fileLines(shell, '.gemini', 'settings.json', [GEMINI_SETTINGS], false),
      ...envLines(shell, scope, [
        ['GEMINI_API_KEY', key],
        ['GOOGLE_GEMINI_BASE_URL', `${origin}/gemini`],
      ]),
      '',
      `${comment} verify`,
      'gemini -p "Say hello"',
    ];
  }
  return lines.join('\n');
}
