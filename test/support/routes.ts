// Every route a running Fastify app has registered, read from its own route table (printRoutes), so a route added
// later is enumerated without anyone listing it. Each parsed (method, path) is checked against app.hasRoute.
import type { FastifyInstance } from 'fastify';

export interface RouteEntry {
  method: string;
  /** The pattern as printed, e.g. `/admin/accounts/:id` (a literal colon inside a segment stays single). */
  path: string;
}

/**
 * Parses `printRoutes({ commonPrefix: false })`: a radix tree in which a route's path is the concatenation of the
 * labels from the root down, and a node that is a route lists its methods in parentheses.
 */
export function listRoutes(app: FastifyInstance): RouteEntry[] {
  const tree = app.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const out: RouteEntry[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (.*)$/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    const node = /^(.*?)(?: \(([A-Z, ]+)\))?$/.exec(m[2])!;
    stack.length = depth;
    stack[depth] = node[1];
    if (!node[2]) continue;
    // The printer shows a wildcard child without the '/' before it (`/web` + `*` is `/web/*`).
    const path = stack.join('').replace(/([^/])\*$/, '$1/*');
    for (const method of node[2].split(',').map((s) => s.trim())) {
      // A literal colon inside a segment is registered as '::' (e.g. Gemini's `v1internal:generateContent`).
      const registered = [path, path.replace(/([^/:]):(?!:)/g, '$1::')].find((url) => app.hasRoute({ method: method, url }));
      if (!registered) throw new Error(`route table parse error: ${method} ${path} is not a route`);
      out.push({ method, path });
    }
  }
  if (out.length === 0) throw new Error(`no routes parsed from:\n${tree}`);
  return out;
}
