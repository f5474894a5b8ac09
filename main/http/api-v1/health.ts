import { HealthSchema, type Health } from '../../contract/health.ts';
import type { App, AppOptions } from '../types.ts';

export async function healthRoutes(app: App, { services, version }: AppOptions) {
  const body: Health = { status: 'ok', version, schemaVersion: services.schemaVersion };
  app.get('/health', { schema: { tags: ['server'], summary: 'Liveness of the Integration Server', response: { 200: HealthSchema } } }, async () => body);
}
