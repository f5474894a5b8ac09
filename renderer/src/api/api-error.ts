import type { ErrorBody } from '../../../main/contract/errors.ts';

/**
 * Every failure the console shows comes through here, so that each one says what happened and what
 * to do about it, in words an administrator can act on — never a bare status code.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The server's answer as it came, for a page that can do more with a known code than show it. */
  readonly body: unknown;
  constructor(status: number, code: string, message: string, body?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/** The server could not be reached at all (refused, reset, name not resolved, certificate refused). */
export class NetworkError extends Error {
  constructor(baseUrl: string) {
    super(
      `Cannot reach the Integration Server at ${baseUrl || 'this address'}. Check that \`lightkeeper serve\` is running there, ` +
        'that the address and port are right, and that this browser trusts its certificate.',
    );
    this.name = 'NetworkError';
  }
}

/** An upload stopped from the console before the server answered; the server keeps nothing of it. */
export class UploadCancelledError extends Error {
  constructor() {
    super('The upload was cancelled; nothing was kept.');
    this.name = 'UploadCancelledError';
  }
}

const isErrorBody = (v: unknown): v is ErrorBody =>
  typeof v === 'object' && v !== null && typeof (v as ErrorBody).message === 'string' && typeof (v as ErrorBody).code === 'string';

/** Turns a non-2xx answer into an ApiError whose message tells the reader how to go on. */
export function apiErrorOf(status: number, body: unknown): ApiError {
  const server = isErrorBody(body) ? body : undefined;
  const code = server?.code ?? `HTTP_${status}`;
  switch (true) {
    case status === 401:
      return new ApiError(status, code, 'The account name or password is wrong. Passwords are set with `npx lightkeeper setup` or `npx lightkeeper accounts passwd NAME`.');
    case status === 429:
      return new ApiError(status, code, server?.message ?? 'Too many failed sign-ins from this address; wait a few minutes and try again.');
    // Only an account out of its scope gets the viewer hint; other refusals (a wrong setup token) speak for themselves.
    case status === 403 && code === 'FORBIDDEN':
      return new ApiError(status, code, `${server?.message ?? 'This account may not do that.'} Sign in as admin to make changes; viewer is read-only.`);
    // A 502 with the server's own error body: the server works, a peer it reached (a hypervisor, the
    // Administration Server) did not, and the message names that peer and what to check.
    case status === 502 && server !== undefined:
      return new ApiError(status, code, server.message);
    case status >= 500:
      return new ApiError(status, code, `The server failed (${status}): ${server?.message ?? 'no details were given'}.`);
    default:
      return new ApiError(status, code, server?.message ?? `The server answered ${status} without an explanation.`, body);
  }
}

/** A readable sentence for anything a promise may reject with. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
