/**
 * A refusal of the SVM lifecycle services (infrastructures, images, wizard), with the HTTP status
 * the JSON API answers and, where useful, what the admin needs to act on (a presented fingerprint).
 */
export class LifecycleError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown>;
  constructor(code: string, status: number, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LifecycleError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}
