import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../services/audit-log.ts';
import { xmlError } from './xml-error.ts';

export const XML_TYPE = 'application/xml; charset=utf-8';

/** The caller of a vendor API request, for the audit log. */
export const vendorActor = (req: FastifyRequest): Actor => ({ account: req.account ?? 'unknown', address: req.ip, channel: 'vendor-api' });

export const sendXml = (reply: FastifyReply, status: number, xml: string) => reply.code(status).type(XML_TYPE).send(xml);

export const sendXmlError = (reply: FastifyReply, status: number, code: string, message: string) => sendXml(reply, status, xmlError(code, message));

/** One query parameter as text; a repeated one is refused rather than guessed at. */
export function queryParam(req: FastifyRequest, name: string): string | undefined | { repeated: true } {
  const value = (req.query as Record<string, unknown> | undefined)?.[name];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  return { repeated: true };
}
