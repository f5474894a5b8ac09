import { Type, type Static } from 'typebox';

export const HealthSchema = Type.Object({
  status: Type.Literal('ok'),
  version: Type.String(),
  schemaVersion: Type.Integer(),
});
export type Health = Static<typeof HealthSchema>;
