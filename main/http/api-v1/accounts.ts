import { Type } from 'typebox';
import { AccountSummarySchema } from '../../contract/accounts.ts';
import type { App, AppOptions } from '../types.ts';

export async function accountRoutes(app: App, { services }: AppOptions) {
  app.get('/accounts', { schema: { tags: ['accounts'], response: { 200: Type.Array(AccountSummarySchema) } } }, async () => services.accounts.list());
}
