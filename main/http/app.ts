import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import { registerAccessHook } from './access-hook.ts';
import { reportRoutes } from './api-v1/reports.ts';
import { setupRoutes } from './api-v1/setup.ts';
import { createFirstRunSetup } from '../services/first-run-setup.ts';
import { registerErrorHandling } from './error-handler.ts';
import { accountRoutes } from './api-v1/accounts.ts';
import { agentProtocolRoutes } from './agents/agent-protocol.ts';
import { certificateRoutes } from './api-v1/certificate.ts';
import { eventRoutes } from './api-v1/events.ts';
import { healthRoutes } from './api-v1/health.ts';
import { infrastructureRoutes } from './api-v1/infrastructures.ts';
import { svmImageRoutes } from './api-v1/svm-images.ts';
import { svmWizardRoutes } from './api-v1/svm-wizard.ts';
import { svmRoutes } from './api-v1/svms.ts';
import { taskRoutes } from './api-v1/tasks.ts';
import { tenantRoutes } from './api-v1/tenants.ts';
import { auditRoutes } from './api-v1/audit.ts';
import { kscRoutes } from './api-v1/ksc.ts';
import { vendorApi } from './vendor-api/vendor-api.ts';
import type { App, AppOptions } from './types.ts';
import { webConsole } from './web-console.ts';

/**
 * The Integration Server's HTTP surface as one Fastify plugin (the `fastify/demo` shape): tests
 * drive it through `inject()`, and `server.ts` puts it on a real TLS port.
 */
async function lightkeeperApp(app: App, options: AppOptions) {
  registerAccessHook(app, options.services);
  registerErrorHandling(app);
  // Fastify reads a text/plain body as a string by default, so JSON sent without its media type
  // was refused as "body must be object"; now the caller hears which media type was wrong (415).
  // The vendor API reads every media type itself, in its own scope.
  app.removeContentTypeParser('text/plain');
  await app.register(swagger, {
    openapi: {
      info: { title: 'Lightkeeper JSON API', version: options.version },
      components: { securitySchemes: { basic: { type: 'http', scheme: 'basic' } } },
      security: [{ basic: [] }],
    },
  });
  await app.register(
    async (v1: App) => {
      await v1.register(healthRoutes, options);
      await v1.register(eventRoutes, options);
      await v1.register(taskRoutes, options);
      await v1.register(infrastructureRoutes, options);
      await v1.register(svmImageRoutes, options);
      await v1.register(svmWizardRoutes, options);
      await v1.register(accountRoutes, options);
      await v1.register(tenantRoutes, options);
      await v1.register(auditRoutes, options);
      await v1.register(kscRoutes, options);
      await v1.register(svmRoutes, options);
      await v1.register(reportRoutes, options);
      await v1.register(setupRoutes, { ...options, firstRun: options.firstRun ?? createFirstRunSetup(options.services.accounts, null) });
      await v1.register(certificateRoutes, options);
      v1.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    },
    { prefix: '/api/v1' },
  );
  await app.register(vendorApi, { ...options, prefix: '/api/2.0/virtualization' });
  await app.register(agentProtocolRoutes, { ...options, prefix: '/api/agents/v1' });
  await app.register(webConsole, options);
}

export default fp(lightkeeperApp, { name: 'lightkeeper-app', fastify: '5.x' });
