// Alert channels through the admin API: each format's request exactly as its vendor documents it (checked by a
// fake receiver on port 0, signatures recomputed here from the vendors' descriptions), mail through a real SMTP
// exchange (smtp-server on port 0), secrets sealed and never shown or logged, URLs checked, the history.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { startRelay, type TestRelay } from './support/harness.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

interface Mail {
  from: string;
  to: string[];
  user: string | null;
  data: string;
}

async function startSmtp(): Promise<{ port: number; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    onAuth(auth, _session, cb) {
      if (auth.username === 'alerts' && auth.password === 'mail-secret-pw') cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: (session.user as string | undefined) ?? null,
          data: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('alert channels', () => {
  let t: TestRelay;
  let hook: WebhookReceiver;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const logged: string[] = [];

  before(async () => {
    hook = await startWebhookReceiver();
    smtp = await startSmtp();
    const { pino } = await import('pino');
    // Every log line of the relay, to prove no secret reaches one.
    const log = pino({ level: 'debug' }, { write: (s: string) => void logged.push(s) });
    t = await startRelay({ log, env: { TIMEZONE_OFFSET: '8' } });
    await t.admin('PATCH', '/settings/notifications', { language: 'en' });
  });
  after(async () => {
    await t.close();
    await hook.close();
    await smtp.close();
  });
  beforeEach(() => hook.clear());

  async function channel(body: Record<string, unknown>): Promise<string> {
    const r = await t.admin('POST', '/notifications/channels', body);
    assert.equal(r.status, 201, JSON.stringify(r.json));
    return r.json.id;
  }
  async function sendTest(id: string) {
    const r = await t.admin('POST', '/notifications/test', { target: id });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    return r.json;
  }

  test('generic webhook: the documented JSON, signed with HMAC-SHA256 over "<timestamp>.<body>"', async () => {
    const id = await channel({ name: 'ops hook', type: 'webhook', url: `${hook.url}/hooks/crs?token=abc123`, secret: 'whsec-generic-1' });
    const d = await sendTest(id);
    assert.deepEqual(
      { status: d.status, attempts: d.attempts, httpStatus: d.httpStatus, error: d.error },
      { status: 'sent', attempts: 1, httpStatus: 200, error: null },
    );
    const h = hook.received[0];
    assert.equal(h.method, 'POST');
    assert.equal(h.path, '/hooks/crs');
    assert.deepEqual(h.query, { token: 'abc123' });
    assert.match(h.headers['content-type'], /^application\/json/);
    assert.equal(h.headers['x-crs-event'], 'test');
    const expected = 'sha256=' + createHmac('sha256', 'whsec-generic-1').update(`${h.headers['x-crs-timestamp']}.${h.raw}`).digest('hex');
    assert.equal(h.headers['x-crs-signature'], expected);
    assert.ok(Math.abs(Number(h.headers['x-crs-timestamp']) - Date.now() / 1000) < 60);
    assert.deepEqual(Object.keys(h.json).sort(), ['at', 'data', 'event', 'id', 'instance', 'severity', 'source', 'subject', 'text', 'title']);
    assert.equal(h.json.source, 'claude-relay-service');
    assert.equal(h.json.event, 'test');
    assert.equal(h.json.title, 'Test notification: ops hook');
    assert.deepEqual(h.json.subject, { kind: 'test', name: 'ops hook' });
  });

  test('WeCom group robot: {"msgtype":"markdown","markdown":{"content"}}', async () => {
    // developer.work.weixin.qq.com/document/path/91770
    const id = await channel({ name: 'wecom', type: 'wecom', url: `${hook.url}/cgi-bin/webhook/send?key=wecom-key-123` });
    assert.equal((await sendTest(id)).status, 'sent');
    const h = hook.received[0];
    assert.equal(h.path, '/cgi-bin/webhook/send');
    assert.deepEqual(h.query, { key: 'wecom-key-123' });
    assert.deepEqual(Object.keys(h.json), ['msgtype', 'markdown']);
    assert.equal(h.json.msgtype, 'markdown');
    assert.deepEqual(Object.keys(h.json.markdown), ['content']);
    assert.match(h.json.markdown.content, /^### Test notification: wecom\n> /);
    assert.ok(Buffer.byteLength(h.json.markdown.content) <= 4096);
  });

  test('DingTalk robot: markdown {title,text}; timestamp (ms) and sign = urlencode(base64(HmacSHA256(secret, timestamp+"\\n"+secret)))', async () => {
    // open.dingtalk.com, custom robot security settings (加签)
    const secret = 'SECdingtalk0123456789';
    const id = await channel({ name: 'ding', type: 'dingtalk', url: `${hook.url}/robot/send?access_token=ding-token-1`, secret });
    assert.equal((await sendTest(id)).status, 'sent');
    const h = hook.received[0];
    assert.equal(h.path, '/robot/send');
    assert.equal(h.query.access_token, 'ding-token-1');
    const ts = h.query.timestamp;
    assert.match(ts, /^\d{13}$/);
    const sign = createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');
    assert.equal(h.query.sign, sign, 'the decoded sign query parameter');
    // On the wire it is URL-encoded (base64 has + / =).
    assert.ok(h.rawUrl.endsWith(`&sign=${encodeURIComponent(sign)}`), h.rawUrl);
    assert.deepEqual(h.json, { msgtype: 'markdown', markdown: { title: 'Test notification: ding', text: h.json.markdown.text } });
    assert.match(h.json.markdown.text, /^### Test notification: ding\n\n- /);
  });

  test('Feishu robot: {"msg_type":"text","content":{"text"}} with timestamp (s) and sign = base64(HmacSHA256 keyed by timestamp+"\\n"+secret over "")', async () => {
    // open.feishu.cn, custom bot guide (签名校验)
    const secret = 'feishu-sign-secret';
    const id = await channel({ name: 'lark', type: 'feishu', url: `${hook.url}/open-apis/bot/v2/hook/feishu-hook-1`, secret });
    assert.equal((await sendTest(id)).status, 'sent');
    const h = hook.received[0];
    assert.equal(h.path, '/open-apis/bot/v2/hook/feishu-hook-1');
    assert.deepEqual(Object.keys(h.json).sort(), ['content', 'msg_type', 'sign', 'timestamp']);
    assert.equal(h.json.msg_type, 'text');
    assert.equal(typeof h.json.timestamp, 'string');
    assert.match(h.json.timestamp, /^\d{10}$/);
    assert.equal(h.json.sign, createHmac('sha256', `${h.json.timestamp}\n${secret}`).update('').digest('base64'));
    assert.match(h.json.content.text, /^Test notification: lark\n/);
    // Without a secret: no timestamp, no sign.
    const plain = await channel({ name: 'lark2', type: 'feishu', url: `${hook.url}/open-apis/bot/v2/hook/x` });
    await sendTest(plain);
    assert.deepEqual(Object.keys(hook.received[1].json).sort(), ['content', 'msg_type']);
  });

  test('Slack incoming webhook: {"text"}', async () => {
    // api.slack.com/messaging/webhooks
    const id = await channel({ name: 'slack', type: 'slack', url: `${hook.url}/services/T000/B000/slacksecretpart` });
    assert.equal((await sendTest(id)).status, 'sent');
    const h = hook.received[0];
    assert.equal(h.path, '/services/T000/B000/slacksecretpart');
    assert.deepEqual(Object.keys(h.json), ['text']);
    assert.match(h.json.text, /^\*Test notification: slack\*\n/);
  });

  test('Telegram: POST /bot<token>/sendMessage {chat_id, text, parse_mode}', async () => {
    // core.telegram.org/bots/api#sendmessage
    const id = await channel({ name: 'tg <ops>', type: 'telegram', botToken: '123456:TG-token-abc', chatId: '-1001234', server: hook.url });
    hook.reply({ status: 200, body: { ok: true, result: {} } });
    assert.equal((await sendTest(id)).status, 'sent');
    const h = hook.received[0];
    assert.equal(h.path, '/bot123456:TG-token-abc/sendMessage');
    assert.deepEqual(Object.keys(h.json).sort(), ['chat_id', 'parse_mode', 'text']);
    assert.equal(h.json.chat_id, '-1001234');
    assert.equal(h.json.parse_mode, 'HTML');
    assert.match(h.json.text, /^<b>Test notification: tg &lt;ops&gt;<\/b>\n/, 'HTML escaped');
    // A refusal in the body ({ok:false}) is a failure, and its text names no token.
    hook.reply({ status: 200, body: { ok: false, description: 'Bad Request: chat not found for 123456:TG-token-abc' } });
    const failed = await sendTest(id);
    assert.equal(failed.status, 'failed');
    assert.ok(!JSON.stringify(failed).includes('TG-token-abc'), JSON.stringify(failed));
  });

  test('Bark: POST /push {device_key, title, body, group}', async () => {
    // github.com/Finb/bark-server docs/API_V2.md
    const id = await channel({ name: 'phone', type: 'bark', deviceKey: 'bark-device-key-1', server: hook.url, group: 'relay' });
    hook.reply({ status: 200, body: { code: 200, message: 'success' } });
    assert.equal((await sendTest(id)).status, 'sent');
    const h = hook.received[0];
    assert.equal(h.path, '/push');
    assert.deepEqual(Object.keys(h.json).sort(), ['body', 'device_key', 'group', 'title']);
    assert.deepEqual(
      { device_key: h.json.device_key, title: h.json.title, group: h.json.group },
      { device_key: 'bark-device-key-1', title: 'Test notification: phone', group: 'relay' },
    );
  });

  test('SMTP mail through a real SMTP exchange, with authentication', async () => {
    const id = await channel({
      name: 'mail',
      type: 'smtp',
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      username: 'alerts',
      password: 'mail-secret-pw',
      from: 'relay@example.com',
      to: ['ops@example.com', 'lead@example.com'],
    });
    const d = await sendTest(id);
    assert.equal(d.status, 'sent', JSON.stringify(d));
    const m = smtp.mails.at(-1)!;
    assert.equal(m.from, 'relay@example.com');
    assert.deepEqual(m.to, ['ops@example.com', 'lead@example.com']);
    assert.equal(m.user, 'alerts');
    assert.match(m.data, /Subject: \[Claude Relay\] Test notification: mail/);
    assert.match(m.data, /the channel works/);
    const wrong = await channel({
      name: 'mail2',
      type: 'smtp',
      host: '127.0.0.1',
      port: smtp.port,
      username: 'alerts',
      password: 'wrong-password',
      from: 'relay@example.com',
      to: ['ops@example.com'],
    });
    const refused = await sendTest(wrong);
    assert.equal(refused.status, 'failed');
    assert.ok(!JSON.stringify(refused).includes('wrong-password'));
  });

  test('secrets are sealed at rest and never shown, logged or recorded; edits keep what is left out', async () => {
    const id = await channel({
      name: 'sealed',
      type: 'dingtalk',
      url: `${hook.url}/robot/send?access_token=tok-very-secret-42`,
      secret: 'SECsealed-secret-77',
    });
    const raw = await t.relay.store.kv.get('alertcfg:channels');
    assert.ok(raw && !raw.includes('tok-very-secret-42') && !raw.includes('SECsealed-secret-77'), 'sealed in the store');
    const list = await t.admin('GET', '/notifications/channels');
    const view = list.json.items.find((c: { id: string }) => c.id === id);
    assert.equal(view.urlHint, `${hook.url}/robot/…`);
    assert.deepEqual(view.secretsSet, ['url', 'secret']);
    assert.ok(!JSON.stringify(list.json).includes('tok-very-secret-42') && !JSON.stringify(list.json).includes('SECsealed'));
    const renamed = await t.admin('PATCH', `/notifications/channels/${id}`, { name: 'renamed', events: ['account_unusable'] });
    assert.equal(renamed.status, 200);
    assert.deepEqual(renamed.json.secretsSet, ['url', 'secret'], 'secrets kept');
    await sendTest(id);
    assert.equal(hook.received.at(-1)!.query.access_token, 'tok-very-secret-42');
    const unsigned = await t.admin('PATCH', `/notifications/channels/${id}`, { secret: '' });
    assert.deepEqual(unsigned.json.secretsSet, ['url'], 'an empty string removes the signing secret');
    const history = await t.admin('GET', '/notifications/history?limit=200');
    const dump = JSON.stringify(history.json) + logged.join('');
    for (const s of [
      'tok-very-secret-42',
      'SECsealed-secret-77',
      'wecom-key-123',
      'TG-token-abc',
      'bark-device-key-1',
      'mail-secret-pw',
      'whsec-generic-1',
      'slacksecretpart',
    ]) {
      assert.ok(!dump.includes(s), `"${s}" leaked into the history or a log line`);
    }
    assert.equal((await t.admin('DELETE', `/notifications/channels/${id}`)).status, 204);
  });

  test('URLs are checked: metadata addresses, other schemes and credentials are refused; required fields per type', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'x', type: 'webhook', url: 'http://169.254.169.254/latest/meta-data' }, 'url'],
      [{ name: 'x', type: 'webhook', url: 'http://[fd00:ec2::254]/' }, 'url'],
      [{ name: 'x', type: 'slack', url: 'file:///etc/passwd' }, 'url'],
      [{ name: 'x', type: 'wecom', url: 'https://user:pw@qyapi.weixin.qq.com/x' }, 'url'],
      [{ name: 'x', type: 'bark', deviceKey: 'k', server: 'http://metadata.google.internal' }, 'server'],
      [{ name: 'x', type: 'smtp', host: '169.254.169.254', from: 'relay@example.com', to: ['ops@example.com'] }, 'host'],
      [{ name: 'x', type: 'telegram', botToken: 't' }, 'chatId'],
      [{ name: 'x', type: 'dingtalk' }, 'url'],
    ];
    for (const [body, field] of cases) {
      const r = await t.admin('POST', '/notifications/channels', body);
      assert.equal(r.status, 400, `${JSON.stringify(body)} → ${r.status}`);
      assert.ok(
        r.json.error.details.some((d: { path: string }) => d.path === field),
        `${JSON.stringify(body)}: ${JSON.stringify(r.json.error)}`,
      );
    }
  });

  test('history: each test send with its delivery status, newest first', async () => {
    const id = await channel({ name: 'flaky', type: 'slack', url: `${hook.url}/services/flaky` });
    hook.reply({ status: 404, body: { error: 'no_service' } });
    const d = await sendTest(id);
    assert.deepEqual({ status: d.status, httpStatus: d.httpStatus, error: d.error }, { status: 'failed', httpStatus: 404, error: 'HTTP 404' });
    const h = await t.admin('GET', '/notifications/history?limit=5');
    const top = h.json.items[0];
    assert.equal(top.event.type, 'test');
    assert.equal(top.event.subject.name, 'flaky');
    assert.deepEqual(
      top.deliveries.map((x: { channelName: string; status: string }) => [x.channelName, x.status]),
      [['flaky', 'failed']],
    );
    assert.ok(Date.parse(h.json.items[0].event.at) >= Date.parse(h.json.items[1].event.at));
  });
});
