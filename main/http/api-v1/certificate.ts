import { ErrorBodySchema } from '../../contract/errors.ts';
import { CertificateInfoSchema } from '../../contract/certificate.ts';
import type { App, AppOptions } from '../types.ts';

export async function certificateRoutes(app: App, { certificate }: AppOptions) {
  app.get(
    '/server/certificate',
    { schema: { tags: ['server'], summary: "The server's TLS certificate (fingerprint, names, validity)", response: { 200: CertificateInfoSchema, 404: ErrorBodySchema } } },
    async (_req, reply) => {
      if (!certificate) return reply.code(404).send({ statusCode: 404, code: 'NO_CERTIFICATE', error: 'Not Found', message: 'This server was started without a TLS certificate.' });
      return certificate;
    },
  );
}
