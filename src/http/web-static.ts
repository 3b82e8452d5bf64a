// Serves the built admin SPA (dist/web) at /web: hashed assets cached immutably, index.html never cached,
// history-mode routes fall back to index.html, traversal attempts refused, security headers on every answer.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface WebStaticOptions {
  /** Directory holding index.html and assets/ (default: dist/web next to the built server, or of the repo in dev). */
  root?: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Naive UI injects its styles at run time (hence 'unsafe-inline' for styles only); scripts come only from this
 * origin, and the page talks only to this origin.
 */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', WEB_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin');
}

function defaultRoots(): string[] {
  const here = fileURLToPath(new URL('.', import.meta.url));
  // dist/http → dist/web (built); src/http → <repo>/dist/web (tests and `npm run dev` after a build)
  return [resolve(here, '../web'), resolve(here, '../../dist/web')];
}

const MISSING_PAGE = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Claude Relay Service</title>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem">
<h1>Web admin not built</h1><p>The admin UI has not been built yet. Run <code>npm run build</code> (or <code>npm run build:web</code>) and reload.</p>
<p lang="zh-CN">管理界面尚未构建。请运行 <code>npm run build</code>，然后刷新本页。</p></body></html>`;

/** Rejects anything that could climb out of the root: dot segments (raw or encoded), encoded slashes, backslashes, empty segments. */
export function safeRelativePath(rawPath: string): string | null {
  if (/%2e|%2f|%5c|%00|\\|\/\//i.test(rawPath)) return null;
  const segs = rawPath.split('/').filter((s, i, a) => !(s === '' && i === a.length - 1));
  const out: string[] = [];
  for (const s of segs) {
    let d: string;
    try {
      d = decodeURIComponent(s);
    } catch {
      return null;
    }
    if (d === '' || d === '.' || d === '..' || d.includes('\0')) return null;
    out.push(d);
  }
  return out.join('/');
}

interface CachedFile {
  body: Buffer;
  type: string;
}

export async function webStatic(app: FastifyInstance, opts: WebStaticOptions = {}): Promise<void> {
  const roots = opts.root ? [resolve(opts.root)] : defaultRoots();
  const cache = new Map<string, CachedFile>();
  const findRoot = () => roots.find((r) => existsSync(join(r, 'index.html')));

  const read = (root: string, rel: string): CachedFile | null => {
    const file = resolve(root, rel);
    if (file !== root && !file.startsWith(root + sep)) return null;
    const hit = cache.get(file);
    if (hit) return hit;
    try {
      if (!statSync(file).isFile()) return null;
      const f = { body: readFileSync(file), type: TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream' };
      // index.html changes with every build; the hashed assets never change under their names.
      if (!file.endsWith('index.html')) cache.set(file, f);
      return f;
    } catch {
      return null;
    }
  };

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    securityHeaders(reply);
    const rawPath = (request.raw.url ?? '/').split('?')[0];
    const rel = safeRelativePath(rawPath.replace(/^\/web\/?/, ''));
    if (rel === null) return reply.code(400).type('text/plain; charset=utf-8').send('Bad path\n');
    const root = findRoot();
    if (!root) return reply.code(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(MISSING_PAGE);
    const isAsset = rel.startsWith('assets/');
    const file = rel === '' ? null : read(root, rel);
    if (file && rel !== 'index.html') {
      return reply
        .header('cache-control', isAsset ? 'public, max-age=31536000, immutable' : 'no-cache')
        .type(file.type)
        .send(file.body);
    }
    // A missing asset or file with an extension is a real 404; anything else is a client-side route.
    if (rel !== '' && rel !== 'index.html' && (isAsset || extname(rel) !== '')) {
      return reply.code(404).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send('Not found\n');
    }
    const index = read(root, 'index.html');
    if (!index) return reply.code(503).type('text/html; charset=utf-8').send(MISSING_PAGE);
    return reply.header('cache-control', 'no-cache').type(index.type).send(index.body);
  };

  app.get('/web', serve);
  app.get('/web/*', serve);
  app.get('/', async (_request, reply) => reply.redirect('/web/', 302));
}
