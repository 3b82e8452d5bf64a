// Each chat tool's wire format for one alert, and how to read its answer. Pure: the request to send (URL, headers,
// body) from a channel and an event; the vendors' documented shapes are cited at each builder.
import { createHmac } from 'node:crypto';
import { localTime } from './messages.js';
import type { AlertEvent, ChannelType, ResolvedChannel } from './types.js';

export interface HttpRequestSpec {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

export interface FormatContext {
  /** Reporting time zone for the times in the text. */
  offsetHours: number;
  /** Sent as user-agent. */
  version: string;
}

export const TELEGRAM_API = 'https://api.telegram.org';
export const BARK_SERVER = 'https://api.day.app';

/**
 * DingTalk robot signature (open.dingtalk.com, "自定义机器人安全设置 · 加签"): HmacSHA256 with the secret as key
 * over `timestamp + "\n" + secret` (timestamp in ms), Base64; the caller URL-encodes it into `&sign=`.
 */
export function dingtalkSign(timestampMs: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/**
 * Feishu/Lark robot signature (open.feishu.cn, "自定义机器人使用指南 · 签名校验"): HmacSHA256 whose KEY is
 * `timestamp + "\n" + secret` (timestamp in seconds) over an empty message, Base64.
 */
export function feishuSign(timestampSec: number, secret: string): string {
  return createHmac('sha256', `${timestampSec}\n${secret}`).update('', 'utf8').digest('base64');
}

/** The generic webhook's signature: `sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>` with the channel secret. */
export function webhookSignature(timestampSec: number, body: string, secret: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestampSec}.${body}`, 'utf8').digest('hex');
}

const json = (version: string) => ({ 'content-type': 'application/json; charset=utf-8', 'user-agent': `claude-relay-service/${version}` });

/** Cuts a text to at most `max` UTF-8 bytes (WeCom caps markdown content at 4096). */
export function cutBytes(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let out = s;
  while (Buffer.byteLength(out) > max - 3) out = out.slice(0, Math.floor(out.length * 0.9));
  return out + '...';
}

const htmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The body every format shares: the lines and the time (in the reporting zone). */
function bodyLines(e: AlertEvent, ctx: FormatContext): string[] {
  return [...e.lines, localTime(e.at, ctx.offsetHours)];
}

/** The generic JSON document (documented in the README): stable field names, no secrets. */
export function genericPayload(e: AlertEvent) {
  return {
    source: 'claude-relay-service',
    id: e.id,
    event: e.type,
    at: new Date(e.at).toISOString(),
    severity: e.severity,
    title: e.title,
    text: e.lines.join('\n'),
    subject: e.subject,
    data: e.data,
    instance: e.instance,
  };
}

/** The HTTP request that delivers `e` to an HTTP channel (every type but smtp). */
export function buildRequest(ch: ResolvedChannel, e: AlertEvent, now: number, ctx: FormatContext): HttpRequestSpec {
  const s = ch.secrets;
  const lines = bodyLines(e, ctx);
  const post = (url: string, body: unknown, headers: Record<string, string> = {}): HttpRequestSpec => ({
    url,
    method: 'POST',
    headers: { ...json(ctx.version), ...headers },
    body: JSON.stringify(body),
  });
  switch (ch.type) {
    case 'webhook': {
      const body = JSON.stringify(genericPayload(e));
      const ts = Math.floor(now / 1000);
      const signed: Record<string, string> = s.secret ? { 'x-crs-timestamp': String(ts), 'x-crs-signature': webhookSignature(ts, body, s.secret) } : {};
      return { url: s.url!, method: 'POST', headers: { ...json(ctx.version), 'x-crs-event': e.type, ...signed }, body };
    }
    case 'wecom':
      // developer.work.weixin.qq.com/document/path/91770 (群机器人配置说明): {"msgtype":"markdown","markdown":{"content":…}}
      return post(s.url!, { msgtype: 'markdown', markdown: { content: cutBytes([`### ${e.title}`, ...lines.map((l) => `> ${l}`)].join('\n'), 4096) } });
    case 'dingtalk': {
      // open.dingtalk.com (自定义机器人发送群消息, markdown): {"msgtype":"markdown","markdown":{"title","text"}};
      // with a signing secret, `timestamp` (ms) and the URL-encoded `sign` are appended to the robot URL.
      const body = { msgtype: 'markdown', markdown: { title: e.title, text: [`### ${e.title}`, ...lines.map((l) => `- ${l}`)].join('\n\n') } };
      if (!s.secret) return post(s.url!, body);
      const u = new URL(s.url!);
      u.searchParams.set('timestamp', String(now));
      u.searchParams.set('sign', dingtalkSign(now, s.secret));
      return post(u.toString(), body);
    }
    case 'feishu': {
      // open.feishu.cn (自定义机器人使用指南): {"msg_type":"text","content":{"text":…}}; with a signing secret,
      // `timestamp` (seconds, as a string) and `sign` go in the body.
      const ts = Math.floor(now / 1000);
      const signed = s.secret ? { timestamp: String(ts), sign: feishuSign(ts, s.secret) } : {};
      return post(s.url!, { ...signed, msg_type: 'text', content: { text: [e.title, ...lines].join('\n') } });
    }
    case 'slack':
      // api.slack.com/messaging/webhooks: {"text": …} (mrkdwn).
      return post(s.url!, { text: [`*${e.title}*`, ...lines].join('\n') });
    case 'telegram': {
      // core.telegram.org/bots/api#sendmessage: POST /bot<token>/sendMessage {chat_id, text, parse_mode}.
      const base = (ch.config.server || TELEGRAM_API).replace(/\/+$/, '');
      const text = [`<b>${htmlEscape(e.title)}</b>`, ...lines.map(htmlEscape)].join('\n');
      return post(`${base}/bot${s.botToken}/sendMessage`, { chat_id: ch.config.chatId, text, parse_mode: 'HTML' });
    }
    case 'bark': {
      // github.com/Finb/bark-server docs/API_V2.md: POST /push {device_key, title, body, group}.
      const base = (ch.config.server || BARK_SERVER).replace(/\/+$/, '');
      return post(`${base}/push`, { device_key: s.deviceKey, title: e.title, body: lines.join('\n'), group: ch.config.group || 'Claude Relay' });
    }
    case 'smtp':
      throw new Error('smtp is not an HTTP channel');
  }
}

/** Subject and text of the mail alert. */
export function mailOf(e: AlertEvent, ctx: FormatContext): { subject: string; text: string } {
  return { subject: `[Claude Relay] ${e.title}`, text: [...bodyLines(e, ctx), '', `${e.type} · ${e.id} · ${e.instance}`].join('\n') };
}

/** What an answer means: sent, or failed (and whether another try may help). */
export type AnswerVerdict = { ok: true } | { ok: false; retry: boolean; error: string };

/**
 * Reads a channel's answer. 429 and 5xx may pass, so they are retried; other 4xx are not. The robots answer 200
 * with an error code in the body on a refusal (bad token, bad signature, keyword missing), which is a failure too.
 */
export function readAnswer(type: ChannelType, status: number, body: string): AnswerVerdict {
  if (status === 429 || status >= 500) return { ok: false, retry: true, error: `HTTP ${status}` };
  if (status < 200 || status >= 300) return { ok: false, retry: false, error: `HTTP ${status}` };
  let doc: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object') doc = parsed as Record<string, unknown>;
  } catch {
    doc = null;
  }
  const msg = (v: unknown) => String(v ?? '').slice(0, 200);
  if ((type === 'wecom' || type === 'dingtalk') && doc && 'errcode' in doc && doc.errcode !== 0)
    return { ok: false, retry: false, error: `errcode ${msg(doc.errcode)}: ${msg(doc.errmsg)}` };
  if (type === 'feishu' && doc) {
    const code = doc.code ?? doc.StatusCode;
    if (code !== undefined && code !== 0) return { ok: false, retry: false, error: `code ${msg(code)}: ${msg(doc.msg ?? doc.StatusMessage)}` };
  }
  if (type === 'telegram' && doc && doc.ok === false) return { ok: false, retry: false, error: msg(doc.description) };
  if (type === 'bark' && doc && doc.code !== undefined && doc.code !== 200)
    return { ok: false, retry: false, error: `code ${msg(doc.code)}: ${msg(doc.message)}` };
  return { ok: true };
}
