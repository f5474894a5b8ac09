import { Type } from 'typebox';
import { AccountNameSchema, AccountSummarySchema, ChangePasswordRequestSchema, ChangePasswordResultSchema } from '../../contract/accounts.ts';
import { ErrorBodySchema } from '../../contract/errors.ts';
import { PasswordRejectedError } from '../../services/accounts.ts';
import type { App, AppOptions } from '../types.ts';

const NameParams = Type.Object({ name: AccountNameSchema });

export async function accountRoutes(app: App, { services }: AppOptions) {
  app.get('/accounts', { schema: { tags: ['accounts'], response: { 200: Type.Array(AccountSummarySchema) } } }, async () => services.accounts.list());

  // Only admin gets here: viewer is read-only and the other accounts have no JSON API (account-scope.ts).
  app.put(
    '/accounts/:name/password',
    {
      schema: {
        tags: ['accounts'],
        summary: "Change an account's password (the vendor's rule: errors refuse it, recommendations come back as warnings)",
        params: NameParams,
        body: ChangePasswordRequestSchema,
        response: { 200: ChangePasswordResultSchema, 400: ErrorBodySchema },
      },
    },
    async (req, reply) => {
      const { name } = req.params;
      let warnings;
      try {
        ({ warnings } = await services.accounts.setPassword(name, req.body.password));
      } catch (e) {
        if (!(e instanceof PasswordRejectedError)) throw e;
        // The rule's messages name positions, never characters: nothing of the password is echoed.
        return reply.code(400).send({ statusCode: 400, code: 'PASSWORD_REFUSED', error: 'Bad Request', message: `password: ${e.findings.map((f) => f.message).join(' ')}` });
      }
      // Who changed which account's password, and what the rule recommended; never the password.
      await services.audit.record({ account: req.account ?? 'unknown', address: req.ip, channel: 'json-api' }, 'account.password', name, { warnings: warnings.map((w) => w.code) });
      const changed = (await services.accounts.list()).find((a) => a.name === name)?.passwordChanged;
      return { account: name, passwordChanged: changed ?? new Date().toISOString(), warnings };
    },
  );
}
