// The error every translator throws for a client request that cannot be expressed in the upstream's format.

/**
 * A request that cannot be converted (e.g. `n > 1` for an Anthropic upstream). The API surface renders it as a
 * 400 `invalid_request_error` naming `param`, in the client's own error shape.
 */
export class TranslateError extends Error {
  constructor(
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'TranslateError';
  }
}

export function isTranslateError(e: unknown): e is TranslateError {
  return e instanceof TranslateError;
}
