import { Type, type Static } from 'typebox';

/** The one error shape of the JSON APIs (the same fields Fastify uses for its own errors). */
export const ErrorBodySchema = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
});
export type ErrorBody = Static<typeof ErrorBodySchema>;
