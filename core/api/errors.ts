import type { ApiErrorBody } from '../../contract/api';
import { UserError } from '../errors';

/**
 * How a failure crosses the API boundary. A UserError is the caller's problem and keeps its message
 * (400, or 404/409 when the message says "not found" or a refused state change); anything else is a
 * bug: the caller gets a generic 500 and the stack goes to stderr only, never over the wire.
 */

/** A UserError that knows its HTTP status (e.g. 404 for an unknown call). */
export class ApiStatusError extends UserError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiStatusError';
  }
}

const NOT_FOUND = [/\bnot found\b/i, /\bdoes not exist\b/i, /\bno such file\b/i, /\bno registered dataset\b/i];
const CONFLICT = [/\bcannot change status\b/i, /\bonly queued or running runs\b/i, /\bis running: cancel it first\b/i, /\balready exists\b/i, /\bis already being downloaded\b/i];

/** The HTTP status of a user error, from its class or its message. */
export function statusOfUserError(error: UserError): number {
  if (error instanceof ApiStatusError) return error.status;
  if (NOT_FOUND.some((pattern) => pattern.test(error.message))) return 404;
  if (CONFLICT.some((pattern) => pattern.test(error.message))) return 409;
  return 400;
}

export const INTERNAL_ERROR_MESSAGE = 'internal error: the request could not be completed (details are in the server log)';

/** The body a failed call returns; internal errors are logged through `log` and replaced by a generic message. */
export function errorBodyOf(error: unknown, log: (line: string) => void = (line) => process.stderr.write(line + '\n')): ApiErrorBody {
  if (error instanceof UserError) return { error: error.message, status: statusOfUserError(error) };
  log(`alignahead api: internal error: ${(error as Error)?.stack ?? String(error)}`);
  return { error: INTERNAL_ERROR_MESSAGE, status: 500 };
}
