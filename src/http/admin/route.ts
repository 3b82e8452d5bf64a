// One declaration per admin route: method, path, doc text and the zod schemas of its params, query, body and answer.
// The same value registers the Fastify route (validating with the schemas, handing the handler typed input) and is
// what /admin/openapi.json is generated from, so a route cannot exist undocumented or drift from its document. The
// answer's schema is documentation (the web admin's types are generated from it); the test harness turns on
// checkResponses, so every answer a test receives is also checked against it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseInput } from './validate.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What the document says about a route (and how it is mounted). */
export interface RouteSpec {
  method: Method;
  /** Path relative to the mount, in Fastify's form: '/keys/:id'. */
  path: string;
  tag: string;
  summary: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /**
   * A documented body the handler validates itself, because a check must come first (an unknown id is a 404 before a
   * bad body is a 400) or the schema depends on a path parameter.
   */
  bodyDoc?: z.ZodType;
  /** A documented query the handler validates itself (after a rate-limit count, say). */
  queryDoc?: z.ZodType;
  /** The JSON body of a successful answer (documented, and checked under checkResponses). */
  response?: z.ZodType;
  /** A successful answer is 201 Created (the handler sets it), documented as such. */
  created?: true;
  /** The route answers 204 with no body (a delete). */
  noContent?: true;
  /** Extra response notes: status → description. */
  responses?: Record<string, string>;
  /** Content type of a successful answer other than JSON (CSV exports). */
  produces?: string;
  /** True when no admin session is needed. */
  public?: boolean;
  /** Other paths serving the same route (older names), registered but not documented separately. */
  alsoAt?: string[];
  bodyLimit?: number;
}

let checking = false;

/**
 * Tests: every successful JSON answer is parsed with its route's response schema (as serialised), and one that does
 * not match becomes a 500 naming the route and the fields, so a schema cannot drift from what the handler returns.
 */
export function checkResponses(on: boolean): void {
  checking = on;
}

function checkAnswer(spec: RouteSpec, payload: unknown): void {
  const r = spec.response!.safeParse(JSON.parse(JSON.stringify(payload)));
  if (r.success) return;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`).join('; ');
  throw new Error(`${spec.method} ${spec.path} answered outside its response schema: ${issues}`);
}

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

/** What a handler receives: the validated input, and the raw request and reply for headers, cookies and codes. */
export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** A declared route: its spec (for the document) and how to register it on a scope with its dependencies. */
export interface AdminRoute<D> {
  readonly spec: RouteSpec;
  register(app: FastifyInstance, deps: D): void;
}

/**
 * The route builder of a file whose handlers need dependencies `D`:
 * `const route = routeBuilder<Deps>(); export const ROUTES = [route({ method, path, … }, async ({ params }, deps) => …)]`.
 */
export function routeBuilder<D>() {
  return function route<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(
    spec: RouteSpec & { params?: P; query?: Q; body?: B },
    handler: (ctx: RouteContext<Out<P>, Out<Q>, Out<B>>, deps: D) => unknown,
  ): AdminRoute<D> {
    const parse = (schema: z.ZodType | undefined, input: unknown) => (schema === undefined ? undefined : parseInput(schema, input));
    return {
      spec,
      register(app, deps) {
        for (const url of [spec.path, ...(spec.alsoAt ?? [])]) {
          app.route({
            method: spec.method,
            url,
            ...(spec.public ? { config: { public: true } } : {}),
            ...(spec.bodyLimit !== undefined ? { bodyLimit: spec.bodyLimit } : {}),
            // Returned or sent with reply.send, a successful object answer passes here before it is serialised.
            ...(checking && spec.response
              ? {
                  preSerialization: async (_req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
                    if (reply.statusCode >= 300) return payload;
                    if (reply.statusCode !== (spec.created ? 201 : 200))
                      throw new Error(`${spec.method} ${spec.path} answered ${reply.statusCode}, not as declared`);
                    checkAnswer(spec, payload);
                    return payload;
                  },
                }
              : {}),
            // Params, then query, then body: the first failure is the 400 (parseInput's shape).
            handler: async (request, reply) => {
              const params = parse(spec.params, request.params) as Out<P>;
              const query = parse(spec.query, request.query) as Out<Q>;
              const body = parse(spec.body, request.body) as Out<B>;
              return handler({ params, query, body, request, reply }, deps);
            },
          });
        }
      },
    };
  };
}

/** The `:id` path parameter most routes take. */
export const idParams = z.object({ id: z.string() });

/** A query flag compared with 'true' (`?force=true`); a repeated flag arrives as a list and is not 'true'. */
export const queryFlag = z.union([z.string(), z.array(z.string())]).optional();
