// What a PowerShell or cmd setup snippet does, read line by line (no Windows here): the variables it sets for the
// terminal and for the user, and the files it writes under the home folder. Only the constructs the snippet builder
// emits are understood; anything else throws, so a new construct has to be taught here (and checked) first.

export interface ShellEffect {
  /** Variables of this terminal. */
  env: Record<string, string>;
  /** Variables persisted for the user (setx / SetEnvironmentVariable … "User"). */
  persisted: Record<string, string>;
  /** Files written, by path relative to the home folder with `/` separators, with their exact content. */
  files: Record<string, string>;
}

const slash = (p: string) => p.replace(/\\/g, '/');

export function parsePowerShell(text: string): ShellEffect {
  const fx: ShellEffect = { env: {}, persisted: {}, files: {} };
  const dirs = new Set<string>();
  const vars: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    let m: RegExpExecArray | null;
    const literal = (v: string) => {
      // In double quotes PowerShell expands $ and backtick escapes: the snippet must not rely on either.
      if (/[$`"]/.test(v)) throw new Error(`PowerShell: value would be expanded: ${v}`);
      return v;
    };
    if ((m = /^\$env:(\w+) = "(.*)"$/.exec(l))) fx.env[m[1]] = literal(m[2]);
    else if ((m = /^\[Environment\]::SetEnvironmentVariable\("(\w+)", "(.*)", "User"\)$/.exec(l))) fx.persisted[m[1]] = literal(m[2]);
    else if ((m = /^New-Item -ItemType Directory -Force "\$HOME\\([^"]+)" \| Out-Null$/.exec(l))) dirs.add(slash(m[1]));
    else if ((m = /^if \(\(Test-Path "\$HOME\\([^"]+)"\) -and -not \(Test-Path "\$HOME\\\1\.bak"\)\) \{ Copy-Item "\$HOME\\\1" "\$HOME\\\1\.bak" \}$/.exec(l)))
      continue;
    else if ((m = /^\$(\w+) = @'$/.exec(l))) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== "'@"; i++) body.push(lines[i]);
      if (i >= lines.length) throw new Error('PowerShell: unterminated here-string');
      vars[m[1]] = body.join('\n');
    } else if ((m = /^\[IO\.File\]::WriteAllText\("\$HOME\\([^"]+)", \$(\w+) \+ "`n"\)$/.exec(l))) {
      const path = slash(m[1]);
      if (!dirs.has(path.split('/').slice(0, -1).join('/'))) throw new Error(`PowerShell: ${path} is written before its folder exists`);
      if (vars[m[2]] === undefined) throw new Error(`PowerShell: $${m[2]} is not set`);
      fx.files[path] = vars[m[2]] + '\n';
    } else if (l.trim() !== '') throw new Error(`PowerShell: unknown line: ${l}`);
  }
  return fx;
}

/** Splits `echo a& echo b` at the `&`s cmd acts on (outside quotes, not escaped by ^). */
function cmdCommands(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '^' && !quoted) {
      cur += ch + (s[i + 1] ?? '');
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
      cur += ch;
    } else if (ch === '&' && !quoted) {
      out.push(cur.trim());
      cur = '';
    } else if (!quoted && /[|<>()]/.test(ch)) throw new Error(`cmd: unescaped ${ch} in ${s}`);
    else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** What cmd's echo prints: carets outside quotes are removed (they escape the next character). */
function cmdEchoText(cmd: string): string {
  if (cmd === 'echo.') return '';
  if (!cmd.startsWith('echo ')) throw new Error(`cmd: not an echo: ${cmd}`);
  let out = '';
  let quoted = false;
  const s = cmd.slice(5);
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '"') quoted = !quoted;
    if (s[i] === '^' && !quoted) out += s[++i] ?? '';
    else out += s[i];
  }
  return out;
}

export function parseCmd(text: string): ShellEffect {
  const fx: ShellEffect = { env: {}, persisted: {}, files: {} };
  const dirs = new Set<string>();
  for (const l of text.split('\n')) {
    let m: RegExpExecArray | null;
    const literal = (v: string) => {
      if (/[%"]/.test(v)) throw new Error(`cmd: value would be expanded or cut: ${v}`);
      return v;
    };
    if ((m = /^set "(\w+)=(.*)"$/.exec(l))) fx.env[m[1]] = literal(m[2]);
    else if ((m = /^setx (\w+) "(.*)"$/.exec(l))) fx.persisted[m[1]] = literal(m[2]);
    else if ((m = /^if not exist "%USERPROFILE%\\([^"]+)" mkdir "%USERPROFILE%\\\1"$/.exec(l))) dirs.add(slash(m[1]));
    else if ((m = /^if exist "%USERPROFILE%\\([^"]+)" if not exist "%USERPROFILE%\\\1\.bak" copy "%USERPROFILE%\\\1" "%USERPROFILE%\\\1\.bak" >nul$/.exec(l)))
      continue;
    else if ((m = /^\((.*)\) > "%USERPROFILE%\\([^"]+)"$/.exec(l))) {
      const path = slash(m[2]);
      if (!dirs.has(path.split('/').slice(0, -1).join('/'))) throw new Error(`cmd: ${path} is written before its folder exists`);
      // echo ends every line with CRLF.
      fx.files[path] = cmdCommands(m[1])
        .map((c) => cmdEchoText(c) + '\r\n')
        .join('');
    } else if (l.trim() !== '') throw new Error(`cmd: unknown line: ${l}`);
  }
  return fx;
}

/** The Invoke-RestMethod check (a splatted hashtable, then the call), with `$env:X` taken from `env`. */
export function parseInvokeRestMethod(
  text: string,
  env: Record<string, string>,
): { url: string; headers: Record<string, string>; body: string; method: string } {
  const m = /^\$(\w+) = @\{\n((?:  .+\n)+)\}\nInvoke-RestMethod @\1$/.exec(text);
  if (!m) throw new Error(`PowerShell: unknown check: ${text}`);
  const sub = (s: string) =>
    s.replace(/\$env:(\w+)/g, (_, k: string) => {
      if (env[k] === undefined) throw new Error(`PowerShell: $env:${k} is not set by the setup`);
      return env[k];
    });
  const f: Record<string, string> = {};
  const headers: Record<string, string> = {};
  for (const line of m[2].trimEnd().split('\n')) {
    let x: RegExpExecArray | null;
    if ((x = /^  (\w+) = '([^']*)'$/.exec(line))) f[x[1]] = x[2];
    else if ((x = /^  (\w+) = "([^"`]*)"$/.exec(line))) f[x[1]] = sub(x[2]);
    else if ((x = /^  Headers = @\{ (\w+) = "([^"`]*)" \}$/.exec(line))) headers[x[1]] = sub(x[2]);
    else throw new Error(`PowerShell: unknown hashtable entry: ${line}`);
  }
  if (!f.Uri || !f.Method || !f.Body) throw new Error('PowerShell: Uri, Method and Body are required');
  if (f.ContentType) headers['content-type'] = f.ContentType;
  return { url: f.Uri, method: f.Method.toUpperCase(), headers, body: f.Body };
}

/** A cmd command line as the program receives it: %X% expanded, then split by the C runtime's rules (\" is a quote). */
export function cmdArgv(line: string, env: Record<string, string>): string[] {
  const expanded = line.replace(/%(\w+)%/g, (_, k: string) => {
    if (env[k] === undefined) throw new Error(`cmd: %${k}% is not set by the setup`);
    return env[k];
  });
  const args: string[] = [];
  let cur: string | null = null;
  let quoted = false;
  for (let i = 0; i < expanded.length; i++) {
    const ch = expanded[i];
    if (ch === '\\' && expanded[i + 1] === '"') {
      cur = (cur ?? '') + '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
      cur ??= '';
    } else if (/\s/.test(ch) && !quoted) {
      if (cur !== null) args.push(cur);
      cur = null;
    } else cur = (cur ?? '') + ch;
  }
  if (cur !== null) args.push(cur);
  return args;
}
