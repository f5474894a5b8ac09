import { AuditListQuerySchema, AuditListSchema } from '../../contract/audit.ts';
import type { App, AppOptions } from '../types.ts';

/** Who changed what, when and from where (newest first). */
export async function auditRoutes(app: App, { services }: AppOptions) {
  app.get('/audit', { schema: { tags: ['audit'], querystring: AuditListQuerySchema, response: { 200: AuditListSchema } } }, async (req) => services.audit.list(req.query));
}
