import { STATUS_CODES } from 'node:http';
import { LifecycleError } from '../../services/lifecycle-error.ts';
import type { App } from '../types.ts';

/** The SVM lifecycle's refusals leave with their own status and code; anything else goes to the app's handler. */
export function handleLifecycleErrors(app: App): void {
  app.setErrorHandler((error, _req, reply) => {
    if (!(error instanceof LifecycleError)) throw error;
    const presented = error.details.presented;
    return reply.code(error.status).send({
      statusCode: error.status,
      code: error.code,
      error: STATUS_CODES[error.status] ?? 'Error',
      message: error.message,
      ...(presented ? { presented } : {}),
    });
  });
}
