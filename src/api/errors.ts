/**
 * The API's small error vocabulary. Each carries an HTTP status and a stable code; the error
 * handler turns them into `{ error: { code, message } }`. Anything else is a 500 whose
 * message never reaches the client.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, code = 'bad_request') {
    super(400, code, message);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'missing or invalid credentials', code = 'unauthorized') {
    super(401, code, message);
  }
}

/** Known, but not allowed here: a browser origin or Host outside an allow-list, another video's webhook URL token. */
export class ForbiddenError extends AppError {
  constructor(message: string, code = 'forbidden') {
    super(403, code, message);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, code = 'not_found') {
    super(404, code, message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict') {
    super(409, code, message);
  }
}

export class GoneError extends AppError {
  constructor(message: string, code = 'gone') {
    super(410, code, message);
  }
}

/** Well-formed but contradicts what was already recorded (e.g. an idempotency key reused). */
export class UnprocessableEntityError extends AppError {
  constructor(message: string, code = 'unprocessable') {
    super(422, code, message);
  }
}

/** Over a rate limit: nothing was recorded; the caller may try again after `Retry-After` seconds. */
export class TooManyRequestsError extends AppError {
  constructor(message: string, retryAfterMs: number, code = 'rate_limited') {
    super(429, code, message, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) });
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super(413, 'payload_too_large', `body exceeds ${limitBytes} bytes`);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message = 'body must be application/json') {
    super(415, 'unsupported_media_type', message);
  }
}

/** Temporal unreachable or too slow: the caller should retry; nothing was recorded. */
export class UnavailableError extends AppError {
  constructor(message = 'temporarily unavailable, retry later', retryAfterSeconds = 5, code = 'unavailable') {
    super(503, code, message, { 'Retry-After': String(retryAfterSeconds) });
  }
}

/** The server refused the work over its lane's budget: capacity is kept for the other lane. */
export class OverBudgetError extends UnavailableError {
  constructor() {
    super("over this lane's budget on the Temporal server; retry shortly", 1, 'over_budget');
  }
}
