// A fake receiver for alert webhooks (every chat tool's robot endpoint looks alike: an HTTP POST): records each
// request and answers from a queue of scripted replies (default 200 with the vendor's "ok" body).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  method: string;
  path: string;
  /** The request target as sent (path and raw query). */
  rawUrl: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  raw: string;
  json: any;
  at: number;
}

export interface Reply {
  status: number;
  body?: unknown;
}

export interface WebhookReceiver {
  /** http://127.0.0.1:<port> */
  url: string;
  readonly received: ReceivedHook[];
  /** The next requests get these replies, in order; afterwards 200 `{"errcode":0,"code":0,"ok":true}`. */
  reply(...replies: Reply[]): void;
  /** Resolves with the first received request matching `match` (waiting up to `ms`). */
  waitFor(match: (h: ReceivedHook) => boolean, ms?: number): Promise<ReceivedHook>;
  clear(): void;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  const replies: Reply[] = [];
  const server: Server = createServer((req, res) => {
    void body(req).then((raw) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        json = undefined;
      }
      received.push({
        method: req.method ?? '',
        path: u.pathname,
        rawUrl: req.url ?? '',
        query: Object.fromEntries(u.searchParams),
        headers,
        raw,
        json,
        at: Date.now(),
      });
      const r = replies.shift() ?? { status: 200, body: { errcode: 0, code: 0, ok: true } };
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(r.body ?? {}));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    reply: (...r) => void replies.push(...r),
    async waitFor(match, ms = 8000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const hit = received.find(match);
        if (hit) return hit;
        if (Date.now() > deadline)
          throw new Error(`no matching webhook within ${ms} ms; received: ${received.map((h) => h.path + ' ' + h.raw.slice(0, 120)).join(' | ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    clear: () => {
      received.length = 0;
      replies.length = 0;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
