// GET /metrics (Prometheus text format), and the in-flight count of requests on the relay routes. The metrics
// name keys and accounts with their cost, so on the main port they need METRICS_TOKEN unless the operator opened
// them explicitly (METRICS_PUBLIC=true); METRICS_BIND serves them on a separate listener instead.
import Fastify, { type FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { RelayMetrics } from '../ops/relay-metrics.js';

export interface MetricsRouteDeps {
  metrics: RelayMetrics;
  /** When set, scrapes must send `Authorization: Bearer <token>`. */
  token: string | null;
  /** Without a token: true serves anyone; false refuses every scrape (401 saying how to enable). */
  public: boolean;
}

/** Path prefixes of the API surfaces whose requests count as in flight. */
const RELAY_PREFIXES = ['/api/', '/claude/', '/openai/', '/gemini/'];

function isRelayPath(url: string | undefined): boolean {
  if (url === undefined) return false;
  for (const p of RELAY_PREFIXES) if (url.startsWith(p)) return true;
  return false;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7));
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/**
 * Counts requests on the relay routes from arrival until their response closes (finished or cut), on the raw
 * server so that every route and every outcome is covered; one listener shared by all responses.
 */
export function trackInFlight(server: { on(event: 'request', l: (req: IncomingMessage, res: ServerResponse) => void): unknown }, metrics: RelayMetrics): void {
  const done = () => {
    metrics.inFlight--;
  };
  server.on('request', (req, res) => {
    if (!isRelayPath(req.url)) return;
    metrics.inFlight++;
    res.on('close', done);
  });
}

export async function metricsRoute(app: FastifyInstance, deps: MetricsRouteDeps): Promise<void> {
  app.get('/metrics', async (request, reply) => {
    if (deps.token === null && !deps.public) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .header('cache-control', 'no-store')
        .send({
          error: {
            code: 'UNAUTHORIZED',
            message: 'Metrics are not public: set METRICS_TOKEN (then send it as a bearer token), METRICS_BIND or METRICS_PUBLIC=true',
          },
        });
    }
    if (deps.token !== null && !bearerMatches(request.headers.authorization, deps.token)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .header('cache-control', 'no-store')
        .send({ error: { code: 'UNAUTHORIZED', message: 'A valid metrics token is required' } });
    }
    const body = await deps.metrics.render();
    return reply.header('content-type', deps.metrics.contentType).header('cache-control', 'no-store').send(body);
  });
}

/**
 * The app of the separate metrics listener (METRICS_BIND): only GET /metrics, open unless METRICS_TOKEN is set
 * (the operator chose who can reach that address).
 */
export async function buildMetricsApp(deps: Omit<MetricsRouteDeps, 'public'>): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, keepAliveTimeout: 10_000, requestTimeout: 10_000 });
  await app.register(metricsRoute, { ...deps, public: true });
  return app;
}
