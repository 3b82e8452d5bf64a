// The admin API error shape: `{ error: { code, message, details?, requestId } }`. `code` is stable
// (the UI translates it); `message` is English fallback text.
import type { FastifyInstance } from 'fastify';
import { RelayError } from '../../core/errors.js';
import type { Logger } from '../../platform/logger.js';
import { toCatalogueError } from '../request-body.js';

export function adminErrorBody(err: RelayError, requestId: string) {
  const error: Record<string, unknown> = { code: err.code, message: err.message, requestId };
  if (err.details !== undefined) error.details = err.details;
  if (err.retryAfterSec !== undefined) error.retryAfterSec = err.retryAfterSec;
  return { error };
}

/** Installs the admin error shape on a plugin scope (errors and unknown routes). */
export function useAdminErrors(app: FastifyInstance, log: Logger, maxBytes: number): void {
  app.setErrorHandler((err, request, reply) => {
    const e =
      (err as { validation?: unknown }).validation !== undefined
        ? new RelayError('VALIDATION_FAILED', (err as Error).message)
        : (err as { code?: string }).code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError
          ? new RelayError('BAD_JSON')
          : toCatalogueError(err, maxBytes);
    if (e.code === 'INTERNAL') log.error({ err, requestId: request.id }, 'admin request failed');
    if (e.retryAfterSec !== undefined) void reply.header('retry-after', String(e.retryAfterSec));
    void reply.code(e.status).send(adminErrorBody(e, request.id));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(adminErrorBody(new RelayError('NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`), request.id));
  });
}
