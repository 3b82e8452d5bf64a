// Request fields of an OpenAI chat body that every target reads the same way.
import { TranslateError } from '../errors.js';

/** A numeric field, or undefined when absent or null; anything else is refused. */
export function optNumber(body: Record<string, unknown>, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TranslateError(`${key} must be a number`, key);
  return v;
}

/** `max_completion_tokens`, else the older `max_tokens`: a positive integer, or undefined when neither is sent. */
export function requestedMaxTokens(body: Record<string, unknown>): number | undefined {
  const key = body.max_completion_tokens !== undefined && body.max_completion_tokens !== null ? 'max_completion_tokens' : 'max_tokens';
  const v = optNumber(body, key);
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new TranslateError(`${key} must be a positive integer`, key);
  return v;
}
