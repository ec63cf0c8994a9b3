/** A failed call as the UI sees it: the server's own message and its HTTP-like status (0 = unreachable). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly call?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
