/**
 * The catalogue of errors Switchboard answers with: one class, one factory per kind, serialized once into
 * Graph's envelope by `src/api/error-envelope.ts`. Every entry is listed in docs/errors.md. In src/http because the
 * Graph routes and the control API (src/sim) answer in the same envelope, and src/sim may not import src/api.
 */
import { isRejection, RejectionCode, type Rejection } from '../domain/rejections.js';

export class GraphError extends Error {
  readonly status: number;
  readonly code: string;
  /** The offending request property, when there is one (also named in the message). */
  readonly target: string | null;
  readonly headers: Record<string, string>;
  /** Extra innerError properties (the throttling shape carries code, message and status there). */
  readonly inner: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    target: string | null = null,
    headers: Record<string, string> = {},
    inner: Record<string, string> = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.target = target;
    this.headers = headers;
    this.inner = inner;
  }
}

/** How each domain rejection surfaces over HTTP: status and Graph `error.code`. */
export const REJECTION_HTTP: Record<RejectionCode, { status: number; code: string }> = {
  [RejectionCode.callNotFound]: { status: 404, code: '8522' },
  [RejectionCode.participantNotFound]: { status: 404, code: 'itemNotFound' },
  [RejectionCode.operationNotFound]: { status: 404, code: 'itemNotFound' },
  [RejectionCode.invalidProperty]: { status: 400, code: 'BadRequest' },
  [RejectionCode.noInvitees]: { status: 400, code: 'BadRequest' },
  [RejectionCode.tooManyInvitees]: { status: 400, code: 'BadRequest' },
  [RejectionCode.multipleInviteesNeedGroupCall]: { status: 400, code: 'BadRequest' },
  [RejectionCode.multipleInviteesNeedChatInfo]: { status: 400, code: 'BadRequest' },
  [RejectionCode.clientContextTooLong]: { status: 400, code: 'BadRequest' },
  [RejectionCode.invalidPhoneNumber]: { status: 400, code: 'BadRequest' },
  [RejectionCode.duplicateIdentity]: { status: 400, code: 'BadRequest' },
  [RejectionCode.cannotInviteBot]: { status: 400, code: 'BadRequest' },
  [RejectionCode.replacedCallNotFound]: { status: 400, code: 'BadRequest' },
  [RejectionCode.moveNotAllowed]: { status: 400, code: 'BadRequest' },
  [RejectionCode.invalidCallbackUri]: { status: 400, code: 'BadRequest' },
  [RejectionCode.tenantMismatch]: { status: 403, code: '7505' },
  [RejectionCode.missingRole]: { status: 403, code: '7504' },
  [RejectionCode.forbidden]: { status: 403, code: 'Forbidden' },
  [RejectionCode.userNotFound]: { status: 404, code: 'NotFound' },
  [RejectionCode.meetingNotFound]: { status: 404, code: 'NotFound' },
  [RejectionCode.callStateConflict]: { status: 409, code: 'Conflict' },
  [RejectionCode.notImplemented]: { status: 501, code: 'NotImplemented' },
  [RejectionCode.appNotRegistered]: { status: 403, code: 'UnknownError' },
  [RejectionCode.overloaded]: { status: 429, code: 'TooManyRequests' },
};

export function fromRejection(r: Rejection): GraphError {
  // Overload answers exactly as a throttling limit does, so the clients' retry handlers wait and retry.
  if (r.code === RejectionCode.overloaded) return tooManyRequests(OVERLOAD_RETRY_AFTER);
  const { status, code } = REJECTION_HTTP[r.code];
  // Graph's own text for these two is fixed; the detail follows it.
  const message = r.code === RejectionCode.callNotFound ? 'Call not found.' : r.message;
  return new GraphError(status, code, message, r.code === RejectionCode.callNotFound ? null : r.target);
}

/** Unwraps a service result, turning a domain rejection into its Graph error. */
export function orThrow<T>(r: T | Rejection): T {
  if (isRejection(r)) throw fromRejection(r);
  return r;
}

export const badRequest = (message: string, target: string | null = null): GraphError =>
  new GraphError(400, 'BadRequest', message, target);

export const invalidJson = (detail: string): GraphError =>
  new GraphError(400, 'BadRequest', `The request body is not valid JSON: ${detail}`, 'body');

export const unsupportedMediaType = (contentType: string | undefined): GraphError =>
  new GraphError(
    415,
    'UnsupportedMediaType',
    `Content-Type '${contentType ?? '(none)'}' is not supported; send application/json.`,
    'Content-Type',
  );

export const payloadTooLarge = (limit: number): GraphError =>
  new GraphError(413, 'RequestEntityTooLarge', `The request body is larger than ${limit} bytes.`, 'body');

export const notImplemented = (method: string, path: string): GraphError =>
  new GraphError(
    501,
    'NotImplemented',
    `Switchboard does not implement ${method} ${path} yet. See the README's supported-surface table.`,
  );

export const unknownSegment = (segment: string): GraphError =>
  new GraphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);

export const notFound = (method: string, path: string): GraphError =>
  new GraphError(404, 'NotFound', `No route for ${method} ${path}.`);

export const shuttingDown = (): GraphError =>
  new GraphError(503, 'serviceNotAvailable', 'Switchboard is shutting down; retry after it restarts.', null, {
    'Retry-After': '5',
    Connection: 'close',
  });

export const headersTooLarge = (): GraphError =>
  new GraphError(431, 'RequestHeaderFieldsTooLarge', 'The request headers are larger than the server accepts (16 KB).');

export const requestTimeout = (): GraphError =>
  new GraphError(408, 'RequestTimeout', 'The request did not arrive in time.');

export const malformedHttp = (detail: string): GraphError =>
  new GraphError(400, 'BadRequest', `The request is not valid HTTP: ${detail}.`);

export const pathTooLong = (limit: number): GraphError =>
  new GraphError(414, 'RequestUriTooLong', `A segment of the request path is longer than ${limit} characters.`);

export const badUrl = (): GraphError =>
  new GraphError(400, 'BadRequest', 'The request path is not a valid URL (bad percent-encoding).');

/** Longest path segment Switchboard accepts (onlineMeeting ids, base64 of organizer + thread, are long); longer: 414. */
export const MAX_PATH_SEGMENT = 1000;

// Graph's own paths are ASCII.
const NON_ASCII_PATH = /[^\x20-\x7e]|%[89a-f][0-9a-f]/i;

/**
 * A Graph calling path Switchboard does not serve: 501 "not yet", unless no Graph path looks like it — a segment over
 * MAX_PATH_SEGMENT (414) or non-ASCII characters, such as a hostile id (404).
 */
export function unservedGraphPath(method: string, path: string): GraphError {
  if (path.split('/').some((segment) => segment.length > MAX_PATH_SEGMENT)) return pathTooLong(MAX_PATH_SEGMENT);
  if (NON_ASCII_PATH.test(path)) return notFound(method, path);
  return notImplemented(method, path);
}

export const internalError = (): GraphError => new GraphError(500, 'UnknownError', 'Unkown internal Server Error.');

/**
 * Graph's throttling answer: 429, Retry-After in (fractional) seconds, and the scope that was exhausted when a
 * request limit was (none when Switchboard itself is over capacity: no Graph scope names that).
 */
export const tooManyRequests = (retryAfter: string, scope?: string): GraphError =>
  new GraphError(
    429,
    'TooManyRequests',
    'Please retry again later.',
    null,
    { 'Retry-After': retryAfter, ...(scope !== undefined ? { 'x-ms-throttle-scope': scope } : {}) },
    { code: '429', message: 'Please retry after', status: '429' },
  );

/** Retry-After (s) when Switchboard is over capacity (src/service/admission.ts): long enough for a backlog to clear. */
export const OVERLOAD_RETRY_AFTER = '1';
