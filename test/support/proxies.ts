// Minimal real proxies for tests, written on node:net/http only so they stay independent of the client code:
// an HTTP proxy (CONNECT tunnels and absolute-URI forwarding, optional Basic auth) and a SOCKS5 server
// (no-auth and username/password, CONNECT). Both listen on 127.0.0.1 port 0 and record what they were asked.
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect as netConnect, createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ProxyCredentials {
  username: string;
  password: string;
}

export interface HttpProxyRecord {
  /** `connect` for a CONNECT tunnel, `forward` for an absolute-URI request. */
  kind: 'connect' | 'forward';
  /** `host:port` of the CONNECT, or the absolute URL forwarded. */
  target: string;
  /** Whether the request carried the expected credentials (always true when the proxy needs none). */
  authorized: boolean;
}

export interface SocksRecord {
  /** The destination as the client sent it. */
  host: string;
  port: number;
  /** `domain` when the host name arrived unresolved (socks5h), else the address family the client sent. */
  addressType: 'ipv4' | 'domain' | 'ipv6';
  /** The authentication method chosen, and the user name sent with it. */
  method: 'none' | 'userpass';
  username?: string;
}

export interface TestProxy<R> {
  /** `http://127.0.0.1:port` or `socks5://127.0.0.1:port` (no credentials). */
  url: string;
  port: number;
  readonly records: R[];
  /** Failed authentication attempts. */
  readonly authFailures: number;
  /** A proxy URL with credentials, in the scheme given (default the proxy's own). */
  urlWith(creds: ProxyCredentials, scheme?: string): string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1:0, destroys every tracked socket on close. */
async function listen(server: Server, scheme: string, sockets: Set<Socket>) {
  server.on('connection', (s: Socket) => track(sockets, s));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    urlWith: (c: ProxyCredentials, s = scheme) => `${s}://${encodeURIComponent(c.username)}:${encodeURIComponent(c.password)}@127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function track(sockets: Set<Socket>, s: Socket): Socket {
  sockets.add(s);
  s.on('close', () => sockets.delete(s));
  s.on('error', () => s.destroy());
  return s;
}

/** Both ends closed when either closes. */
function splice(a: Socket, b: Socket): void {
  a.pipe(b);
  b.pipe(a);
  a.on('close', () => b.destroy());
  b.on('close', () => a.destroy());
}

export async function startHttpProxy(opts: { auth?: ProxyCredentials } = {}): Promise<TestProxy<HttpProxyRecord>> {
  const records: HttpProxyRecord[] = [];
  const sockets = new Set<Socket>();
  let authFailures = 0;
  const expected = opts.auth ? `Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString('base64')}` : null;
  const authorized = (req: IncomingMessage) => {
    const ok = expected === null || req.headers['proxy-authorization'] === expected;
    if (!ok) authFailures++;
    return ok;
  };

  const server = createHttpServer((req, res) => {
    const ok = authorized(req);
    records.push({ kind: 'forward', target: req.url ?? '', authorized: ok });
    if (!ok) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const { 'proxy-authorization': _, 'proxy-connection': __, ...headers } = req.headers;
    const up = httpRequest(req.url ?? '', { method: req.method, headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    req.pipe(up);
  });

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const ok = authorized(req);
    records.push({ kind: 'connect', target: req.url ?? '', authorized: ok });
    if (!ok) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = splitHostPort(req.url ?? '');
    const target = track(sockets, netConnect({ host, port }));
    target.once('error', () => {
      if (!client.destroyed) client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    });
    target.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) target.write(head);
      splice(client, target);
    });
  });

  const l = await listen(server, 'http', sockets);
  return {
    ...l,
    records,
    get authFailures() {
      return authFailures;
    },
  };
}

function splitHostPort(hostPort: string): [string, number] {
  const i = hostPort.lastIndexOf(':');
  return [hostPort.slice(0, i).replace(/^\[(.*)\]$/, '$1'), Number(hostPort.slice(i + 1))];
}

/** Reads exact byte counts from a socket, for the SOCKS handshake. */
class Reader {
  private buf = Buffer.alloc(0);
  private waiting: (() => void) | null = null;
  private ended = false;

  constructor(private readonly socket: Socket) {
    socket.on('data', this.onData);
    socket.on('close', () => {
      this.ended = true;
      this.waiting?.();
    });
  }

  private onData = (chunk: Buffer) => {
    this.buf = Buffer.concat([this.buf, chunk]);
    this.waiting?.();
  };

  async read(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      if (this.ended) throw new Error('socket closed');
      await new Promise<void>((r) => (this.waiting = r));
      this.waiting = null;
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Stops reading; returns what arrived past the handshake. */
  detach(): Buffer {
    this.socket.off('data', this.onData);
    return this.buf;
  }
}

const SOCKS_REPLY = (code: number) => Buffer.from([5, code, 0, 1, 0, 0, 0, 0, 0, 0]);

export async function startSocks5Proxy(opts: { auth?: ProxyCredentials } = {}): Promise<TestProxy<SocksRecord>> {
  const records: SocksRecord[] = [];
  const sockets = new Set<Socket>();
  let authFailures = 0;

  async function handshake(client: Socket): Promise<void> {
    const r = new Reader(client);
    const [ver, nMethods] = await r.read(2);
    if (ver !== 5) return void client.destroy();
    const methods = [...(await r.read(nMethods))];
    const method = opts.auth ? 2 : 0;
    if (!methods.includes(method)) return void client.end(Buffer.from([5, 0xff]));
    client.write(Buffer.from([5, method]));
    let username: string | undefined;
    if (method === 2) {
      await r.read(1); // sub-negotiation version 1
      username = (await r.read((await r.read(1))[0])).toString();
      const password = (await r.read((await r.read(1))[0])).toString();
      if (username !== opts.auth!.username || password !== opts.auth!.password) {
        authFailures++;
        return void client.end(Buffer.from([1, 1]));
      }
      client.write(Buffer.from([1, 0]));
    }
    const [, cmd, , atyp] = await r.read(4);
    let host: string;
    let addressType: SocksRecord['addressType'];
    if (atyp === 1) [host, addressType] = [[...(await r.read(4))].join('.'), 'ipv4'];
    else if (atyp === 3) [host, addressType] = [(await r.read((await r.read(1))[0])).toString(), 'domain'];
    else if (atyp === 4) [host, addressType] = [ipv6(await r.read(16)), 'ipv6'];
    else return void client.end(SOCKS_REPLY(8));
    const port = (await r.read(2)).readUInt16BE(0);
    records.push({ host, port, addressType, method: method === 2 ? 'userpass' : 'none', username });
    if (cmd !== 1) return void client.end(SOCKS_REPLY(7));
    const target = track(sockets, netConnect({ host, port }));
    target.once('error', () => {
      if (!client.destroyed) client.end(SOCKS_REPLY(5));
    });
    target.once('connect', () => {
      client.write(SOCKS_REPLY(0));
      const rest = r.detach();
      if (rest.length) target.write(rest);
      splice(client, target);
    });
  }

  const server = createNetServer((client) => {
    handshake(client).catch(() => client.destroy());
  });
  const l = await listen(server, 'socks5', sockets);
  return {
    ...l,
    records,
    get authFailures() {
      return authFailures;
    },
  };
}

function ipv6(b: Buffer): string {
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(b.readUInt16BE(i).toString(16));
  return parts.join(':');
}
