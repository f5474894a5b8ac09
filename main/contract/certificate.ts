import { Type, type Static } from 'typebox';

/**
 * The server's TLS certificate as the server itself describes it. A console shows it so that the
 * administrator can compare it with what the browser or `lightkeeper serve` shows: the answer
 * alone proves nothing (a man in the middle would lie), the comparison does.
 */
export const CertificateInfoSchema = Type.Object({
  fingerprint256: Type.String(),
  subjectAltNames: Type.Array(Type.String()),
  validFrom: Type.String(),
  validTo: Type.String(),
});
export type CertificateInfo = Static<typeof CertificateInfoSchema>;
