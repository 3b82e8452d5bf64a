// The shape of one documented admin route: what /admin/openapi.json is generated from. Each route file
// exports its list next to the handlers, built from the same zod schemas the handlers parse with.
import type { z } from 'zod';

export interface RouteDoc {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path as mounted, e.g. '/admin/keys/{id}'. */
  path: string;
  summary: string;
  tag: string;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Extra response notes: status → description. */
  responses?: Record<string, string>;
  /** Content type of a successful answer other than JSON (CSV exports). */
  produces?: string;
  /** True when no admin session is needed. */
  public?: boolean;
}
