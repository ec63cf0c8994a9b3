/**
 * An error caused by the user's input (a bad file, an unknown option, a missing dataset), as opposed
 * to a bug. The CLI prints its message as one line without a stack trace; the API returns it as a
 * 4xx with the message. Messages name the thing at fault: "cora.npz: array 'labels' is missing".
 */
export class UserError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
  }
}
