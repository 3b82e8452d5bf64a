// The intranet ways in (P10 item 1): the build's mirrors and extra CAs (scripts/build-env.sh on a stand-in root
// file system, build.sh and the Compose build of deploy.sh through a stub `docker`), and NODE_EXTRA_CA_CERTS of
// .env reaching a native relay, which then talks to an HTTPS upstream signed by a private CA.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createServer as createHttpsServer } from 'node:https';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, copyFromRoot, freePort, healthOf, pathWith, ROOT, run, stubDocker, tempDir } from './support.js';

after(cleanupTempDirs);

const PEM = (n: number) => `-----BEGIN CERTIFICATE-----\nMIIB${'A'.repeat(20)}${n}\n-----END CERTIFICATE-----\n`;

/** A stand-in for the base image's file system: deb822 and one-line apt sources pointing at the default host. */
function fakeRoot(withSystemBundle = false): string {
  const root = tempDir('crs-root-');
  mkdirSync(join(root, 'etc', 'apt', 'sources.list.d'), { recursive: true });
  writeFileSync(
    join(root, 'etc', 'apt', 'sources.list.d', 'debian.sources'),
    'Types: deb\nURIs: http://upstream.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\n' +
      'Types: deb\nURIs: http://upstream.example/debian-security\nSuites: bookworm-security\nComponents: main\n',
  );
  writeFileSync(
    join(root, 'etc', 'apt', 'sources.list'),
    'deb http://upstream.example/debian bookworm main\ndeb [arch=amd64] https://upstream.example/debian-security bookworm-security main\n# comment http://upstream.example/x\n',
  );
  if (withSystemBundle) {
    mkdirSync(join(root, 'etc', 'ssl', 'certs'), { recursive: true });
    writeFileSync(join(root, 'etc', 'ssl', 'certs', 'ca-certificates.crt'), PEM(0));
  }
  return root;
}

test('build-env.sh: extra CAs for apt/npm/relay, the Debian mirror in every apt source, the npm registry', async () => {
  const root = fakeRoot(true);
  const certs = tempDir('crs-certs-');
  writeFileSync(join(certs, 'b-proxy.pem'), PEM(2));
  writeFileSync(join(certs, 'a-root.crt'), PEM(1));
  writeFileSync(join(certs, 'README.md'), 'not a certificate, not read');
  const r = await run(ROOT, 'scripts/build-env.sh', [
    '--root',
    root,
    '--certs',
    certs,
    '--debian-mirror',
    'http://mirror.intranet/',
    '--npm-registry',
    'http://npm.intranet:4873/',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(join(root, 'etc', 'ssl', 'crs-extra-ca.pem'), 'utf8'), `${PEM(1)}\n${PEM(2)}\n`, 'both files, in name order');
  assert.equal(
    readFileSync(join(root, 'etc', 'ssl', 'crs-apt-ca.pem'), 'utf8'),
    `${PEM(0)}${PEM(1)}\n${PEM(2)}\n`,
    "apt: the system's bundle plus the extra CAs",
  );
  assert.equal(readFileSync(join(root, 'etc', 'apt', 'apt.conf.d', '99crs-extra-ca'), 'utf8'), 'Acquire::https::CAInfo "/etc/ssl/crs-apt-ca.pem";\n');
  const sources = readFileSync(join(root, 'etc', 'apt', 'sources.list.d', 'debian.sources'), 'utf8');
  assert.match(sources, /^URIs: http:\/\/mirror\.intranet\/debian$/m);
  assert.match(sources, /^URIs: http:\/\/mirror\.intranet\/debian-security$/m);
  assert.doesNotMatch(sources, /upstream\.example/);
  assert.equal(
    readFileSync(join(root, 'etc', 'apt', 'sources.list'), 'utf8'),
    'deb http://mirror.intranet/debian bookworm main\ndeb [arch=amd64] http://mirror.intranet/debian-security bookworm-security main\n# comment http://upstream.example/x\n',
  );
  assert.equal(readFileSync(join(root, 'usr', 'local', 'etc', 'npmrc'), 'utf8'), 'registry=http://npm.intranet:4873/\n');
  assert.match(r.stdout, /trusting 2 extra CA certificate file\(s\)/);

  // Nothing asked: an empty bundle (NODE_EXTRA_CA_CERTS may always point at it), nothing else touched.
  const plain = fakeRoot();
  const before = readFileSync(join(plain, 'etc', 'apt', 'sources.list.d', 'debian.sources'), 'utf8');
  const none = await run(ROOT, 'scripts/build-env.sh', ['--root', plain, '--certs', join(plain, 'no-such-dir')], { DEBIAN_MIRROR: '', NPM_REGISTRY: '' });
  assert.equal(none.code, 0, none.stderr);
  assert.equal(readFileSync(join(plain, 'etc', 'ssl', 'crs-extra-ca.pem'), 'utf8'), '');
  assert.ok(!existsSync(join(plain, 'etc', 'apt', 'apt.conf.d', '99crs-extra-ca')));
  assert.ok(!existsSync(join(plain, 'usr', 'local', 'etc', 'npmrc')));
  assert.equal(readFileSync(join(plain, 'etc', 'apt', 'sources.list.d', 'debian.sources'), 'utf8'), before);

  // The values also come from the build arguments' environment variables.
  const viaEnv = fakeRoot();
  const e = await run(ROOT, 'scripts/build-env.sh', ['--root', viaEnv, '--certs', certs], {
    DEBIAN_MIRROR: 'https://mirror.intranet/deb',
    NPM_REGISTRY: 'https://npm.intranet/',
  });
  assert.equal(e.code, 0, e.stderr);
  assert.match(
    readFileSync(join(viaEnv, 'etc', 'apt', 'sources.list.d', 'debian.sources'), 'utf8'),
    /^URIs: https:\/\/mirror\.intranet\/deb\/debian-security$/m,
  );
  assert.equal(readFileSync(join(viaEnv, 'etc', 'ssl', 'crs-apt-ca.pem'), 'utf8'), `${PEM(1)}\n${PEM(2)}\n`, 'no system bundle: the extra CAs alone');

  // A file that is no certificate, or a mirror that is no URL: refused by name.
  const bad = tempDir('crs-certs-');
  writeFileSync(join(bad, 'oops.crt'), 'hello');
  const refused = await run(ROOT, 'scripts/build-env.sh', ['--root', fakeRoot(), '--certs', bad]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /oops\.crt holds no PEM certificate/);
  const noUrl = await run(ROOT, 'scripts/build-env.sh', ['--root', fakeRoot(), '--debian-mirror', 'mirror.intranet']);
  assert.equal(noUrl.code, 1);
  assert.match(noUrl.stderr, /--debian-mirror must be an http:\/\/ or https:\/\/ URL/);
});

test('the Dockerfile prepares the intranet build before downloading anything, and the relay image trusts the CAs', () => {
  const df = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const build = df.slice(df.indexOf(' AS build'), df.indexOf(' AS runtime'));
  const at = (re: RegExp) => {
    const m = re.exec(build);
    assert.ok(m, `build stage has ${re}`);
    return m.index;
  };
  const prepare = at(/^RUN crs-build-env --certs \/tmp\/certs$/m);
  assert.ok(at(/^ARG DEBIAN_MIRROR=$/m) < prepare && at(/^ARG NPM_REGISTRY=$/m) < prepare);
  assert.ok(prepare < at(/apt-get update/), 'before apt');
  assert.ok(prepare < at(/npm ci/), 'before npm');
  assert.ok(at(/^ENV NODE_EXTRA_CA_CERTS=\/etc\/ssl\/crs-extra-ca\.pem$/m) < at(/npm ci/), 'npm trusts them');
  const runtime = df.slice(df.indexOf(' AS runtime'));
  assert.match(runtime, /NODE_EXTRA_CA_CERTS=\/etc\/ssl\/crs-extra-ca\.pem/);
  assert.match(runtime, /^COPY --from=build \/etc\/ssl\/crs-extra-ca\.pem \/etc\/ssl\/crs-extra-ca\.pem$/m);
  assert.ok(existsSync(join(ROOT, 'certs', 'README.md')), 'certs/ exists in the build context');
  const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8');
  assert.doesNotMatch(dockerignore, /^(certs|scripts)\/?$/m);
  // Plan A carries images/ in git: it must not be ignored.
  const ignored = spawnSync('git', ['check-ignore', '-q', 'images/claude-relay-service.tar.gz.part-000'], { cwd: ROOT });
  assert.equal(ignored.status, 1, 'git add images/ works');
  assert.equal(spawnSync('git', ['check-ignore', '-q', 'certs/intranet-ca.crt'], { cwd: ROOT }).status, 0, 'CA files stay local');
});

test('build.sh: --ca-cert copies into certs/ (checked as PEM), --debian-mirror and --node-image become build arguments', async () => {
  const dir = tempDir('crs-build-');
  copyFromRoot(dir, ['build.sh', 'Dockerfile']);
  const docker = stubDocker(join(dir, '.stub'));
  const env = { PATH: pathWith(docker.bin), STUB_DOCKER_ENGINE: '1' };
  const elsewhere = tempDir('crs-ca-');
  writeFileSync(join(elsewhere, 'corp-root.pem'), PEM(7));
  // run from another directory with a relative path, as an operator would
  const r = spawnSync(
    'bash',
    [
      join(dir, 'build.sh'),
      '--ca-cert',
      'corp-root.pem',
      '--debian-mirror',
      'http://mirror.intranet',
      '--node-image',
      'registry.intranet/node:20-bookworm-slim',
      '--registry',
      'http://npm.intranet/',
    ],
    {
      cwd: elsewhere,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(join(dir, 'certs', 'corp-root.crt'), 'utf8'), PEM(7));
  assert.deepEqual(docker.calls().at(-1), [
    'build',
    '-t',
    'claude-relay-service:latest',
    '--build-arg',
    'NPM_REGISTRY=http://npm.intranet/',
    '--build-arg',
    'DEBIAN_MIRROR=http://mirror.intranet',
    '--build-arg',
    'NODE_IMAGE=registry.intranet/node:20-bookworm-slim',
    '.',
  ]);
  // the same from the environment
  const fromEnv = await run(dir, 'build.sh', [], { ...env, DEBIAN_MIRROR: 'http://m.intranet' });
  assert.equal(fromEnv.code, 0, fromEnv.stderr);
  assert.deepEqual(docker.calls().at(-1), ['build', '-t', 'claude-relay-service:latest', '--build-arg', 'DEBIAN_MIRROR=http://m.intranet', '.']);

  writeFileSync(join(elsewhere, 'key.pem'), '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n');
  const calls = docker.calls().length;
  const bad = await run(dir, 'build.sh', ['--ca-cert', join(elsewhere, 'key.pem')], env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /not a PEM certificate/);
  const missing = await run(dir, 'build.sh', ['--ca-cert', join(elsewhere, 'nope.pem')], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.pem: not a readable file/);
  assert.equal(docker.calls().length, calls, 'docker was not called');
});

test('deploy.sh start (compose, plan B): builds the missing image through Compose with the mirrors of .env; --build forces it', async () => {
  const dir = tempDir('crs-planb-');
  copyFromRoot(dir, ['deploy.sh', 'init-env.sh', '.env.example', 'docker-compose.yml']);
  assert.equal((await run(dir, 'init-env.sh')).code, 0);
  const port = await freePort();
  const envText = readFileSync(join(dir, '.env'), 'utf8')
    .replace(/^PORT=.*$/m, `PORT=${port}`)
    .replace(/^BIND_HOST=.*$/m, 'BIND_HOST=127.0.0.1');
  writeFileSync(join(dir, '.env'), `${envText}NPM_REGISTRY=http://npm.intranet:4873/\nDEBIAN_MIRROR=http://mirror.intranet\n`);
  const docker = stubDocker(join(dir, '.stub'));
  const env = { PATH: pathWith(docker.bin), STUB_DOCKER_ENGINE: '1', STUB_COMPOSE: '1', START_TIMEOUT: '5' };
  const { createServer } = await import('node:http');
  const container = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'));
  await new Promise<void>((r) => container.listen(port, '127.0.0.1', r));
  try {
    const compose = () =>
      docker
        .calls()
        .filter((c) => c[0] === 'compose' && c[1] !== 'version')
        .map((c) => c.slice(1).join(' '));
    const start = await run(dir, 'deploy.sh', ['start'], { ...env, STUB_MISSING_IMAGE: 'claude-relay-service:latest' });
    assert.equal(start.code, 0, start.stdout + start.stderr);
    assert.deepEqual(compose(), ['build claude-relay-service', 'up -d']);
    assert.match(
      start.stdout,
      /building claude-relay-service:latest \(npm registry: http:\/\/npm\.intranet:4873\/; Debian mirror: http:\/\/mirror\.intranet\)/,
    );
    assert.equal(
      readFileSync(join(dir, '.stub', 'build-env.log'), 'utf8'),
      'NPM_REGISTRY=http://npm.intranet:4873/ DEBIAN_MIRROR=http://mirror.intranet NODE_IMAGE=node:20-bookworm-slim\n',
    );

    // The image exists: no build, unless --build.
    assert.equal((await run(dir, 'deploy.sh', ['restart'], env)).code, 0);
    assert.deepEqual(compose().slice(2), ['down', 'up -d']);
    assert.equal((await run(dir, 'deploy.sh', ['start', '--build'], env)).code, 0);
    assert.deepEqual(compose().slice(4), ['build claude-relay-service', 'up -d']);
  } finally {
    await new Promise((r) => container.close(r));
  }
});

/** A private CA and a server certificate for 127.0.0.1 it signed (openssl), or null when openssl is missing. */
function privateCa(dir: string): { ca: string; key: string; cert: string } | null {
  if (spawnSync('openssl', ['version']).status !== 0) return null;
  const o = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Test Intranet Inspection CA']);
  o(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  o(['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '2', '-extfile', 'ext.cnf']);
  return { ca: join(dir, 'ca.pem'), key: readFileSync(join(dir, 'srv.key'), 'utf8'), cert: readFileSync(join(dir, 'srv.pem'), 'utf8') };
}

test('NODE_EXTRA_CA_CERTS in .env: deploy.sh hands it to the native relay, which then trusts an upstream the CA signed', async (t) => {
  const certDir = tempDir('crs-tls-');
  const pki = privateCa(certDir);
  if (!pki) {
    t.skip('openssl is not installed');
    return;
  }
  // The upstream behind a TLS-inspecting proxy, as the relay sees it: a certificate from the intranet's own CA.
  const upstream = createHttpsServer({ key: pki.key, cert: pki.cert }, (req, res) => {
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({
        id: 'msg_tls',
        type: 'message',
        role: 'assistant',
        model: 'claude-haiku-4-5',
        content: [{ type: 'text', text: 'over tls' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 3, output_tokens: 2 },
      });
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_tls' }).end(body);
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const upstreamUrl = `https://127.0.0.1:${(upstream.address() as { port: number }).port}`;

  // Without the CA, Node refuses the certificate (so what follows proves the variable took effect).
  // (asynchronously: the upstream answers from this process's event loop)
  const plain = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
    const c = execFile(
      process.execPath,
      ['-e', `fetch(${JSON.stringify(upstreamUrl)}).then(() => process.exit(0), (e) => { console.error(e.cause?.code); process.exit(3); })`],
      { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: '' } },
      (_e, _o, stderr) => resolve({ status: c.exitCode, stderr }),
    );
  });
  assert.equal(plain.status, 3);
  assert.match(plain.stderr, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);

  const dir = tempDir('crs-native-ca-');
  copyFromRoot(dir, ['deploy.sh', 'init-env.sh', '.env.example']);
  assert.equal((await run(dir, 'init-env.sh')).code, 0);
  const port = await freePort();
  const envText = readFileSync(join(dir, '.env'), 'utf8')
    .replace(/^PORT=.*$/m, `PORT=${port}`)
    .replace(/^BIND_HOST=.*$/m, 'BIND_HOST=127.0.0.1');
  writeFileSync(join(dir, '.env'), `${envText}NODE_EXTRA_CA_CERTS=${pki.ca}\nADMIN_USERNAME=ops\nADMIN_PASSWORD=intranet-admin-1\nADMIN_SCRYPT_N=16384\n`);
  mkdirSync(join(dir, 'dist'));
  writeFileSync(
    join(dir, 'dist', 'main.js'),
    `import { register } from 'tsx/esm/api';\nregister();\nawait import(${JSON.stringify(join(ROOT, 'src', 'main.ts'))});\n`,
  );
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const docker = stubDocker(join(dir, '.stub'));
  const env = { PATH: pathWith(docker.bin), STUB_DOCKER_ENGINE: '0', START_TIMEOUT: '30', NODE_EXTRA_CA_CERTS: '' };
  let pid = '';
  try {
    const start = await run(dir, 'deploy.sh', ['start'], env);
    assert.equal(start.code, 0, start.stdout + start.stderr);
    assert.match(start.stdout, /trusting the extra CA certificates in .*ca\.pem/);
    pid = /started \(pid (\d+)\)/.exec(start.stdout)![1];
    assert.ok(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`NODE_EXTRA_CA_CERTS=${pki.ca}`));
    assert.equal((await healthOf(port))?.status, 200);

    const base = `http://127.0.0.1:${port}`;
    const login = (await (
      await fetch(`${base}/web/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'ops', password: 'intranet-admin-1' }),
      })
    ).json()) as { token: string };
    const admin = async (path: string, body: unknown) => {
      const res = await fetch(`${base}/admin${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${login.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 201, await res.clone().text());
      return (await res.json()) as { id: string; key?: string };
    };
    await admin('/accounts', { kind: 'anthropic-api', name: 'behind-inspection', apiKey: 'sk-ant-api03-intranet', baseUrl: upstreamUrl });
    const { key } = await admin('/api-keys', { name: 'tls' });
    // the relay (another process) picks the new account up from the store within a moment
    let status = 0;
    let text = '';
    for (let i = 0; i < 40 && status !== 200; i++) {
      const res = await fetch(`${base}/api/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': key!, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }),
      });
      status = res.status;
      text = await res.text();
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 200, text);
    assert.match(text, /over tls/);
  } finally {
    await run(dir, 'deploy.sh', ['stop'], env);
    if (pid) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    upstream.closeAllConnections();
    await new Promise((r) => upstream.close(r));
  }
});
