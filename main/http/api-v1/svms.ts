import { Type } from 'typebox';
import { ErrorBodySchema } from '../../contract/errors.ts';
import { SvmInfoQuerySchema, SvmInfoSameNameSchema, SvmInfoSchema, SvmListQuerySchema, SvmListSchema, SvmSummarySchema } from '../../contract/svms.ts';
import { svmInfoText } from '../../services/svm-info-text.ts';
import type { App, AppOptions } from '../types.ts';

const IdParams = Type.Object({ id: Type.String({ maxLength: 36 }) });

/** The SVM registry for the console (issue 6 item 5) and svm-info diagnostics (item 4). */
/** Clones can number hundreds: the message names the latest few, and `vms` has them all. */
const SAME_NAME_LISTED = 5;
const sameNameList = (vms: ReadonlyArray<{ biosId: string; lastAskedAt: string }>): string => {
  const listed = vms.slice(0, SAME_NAME_LISTED).map((v) => `${v.biosId} (last asked ${v.lastAskedAt})`);
  return vms.length > SAME_NAME_LISTED ? `${listed.join(', ')} and ${vms.length - SAME_NAME_LISTED} more` : listed.join(', ');
};

export async function svmRoutes(app: App, { services }: AppOptions) {
  const { svms } = services;

  app.get('/svms', { schema: { tags: ['svms'], summary: 'SVMs that report to this server, by name, paged', querystring: SvmListQuerySchema, response: { 200: SvmListSchema } } }, async (req) =>
    svms.list(req.query),
  );

  app.get('/svms/:id', { schema: { tags: ['svms'], params: IdParams, response: { 200: SvmSummarySchema, 404: ErrorBodySchema } } }, async (req, reply) => {
    const svm = svms.get(req.params.id);
    if (!svm) return reply.code(404).send({ statusCode: 404, code: 'SVM_NOT_FOUND', error: 'Not Found', message: `No SVM with BIOS UUID ${req.params.id} has reported to this server.` });
    return svm;
  });

  app.delete(
    '/svms/:id',
    {
      schema: {
        tags: ['svms'],
        summary: 'Forget a stale SVM: it leaves the list and discovery; its connection periods stay for the reports',
        params: IdParams,
        response: { 200: SvmSummarySchema, 404: ErrorBodySchema, 409: ErrorBodySchema },
      },
    },
    async (req, reply) => {
      const gone = await svms.forget(req.params.id);
      if (!gone) return reply.code(404).send({ statusCode: 404, code: 'SVM_NOT_FOUND', error: 'Not Found', message: `No SVM with BIOS UUID ${req.params.id} has reported to this server.` });
      await services.audit.record({ account: req.account ?? 'unknown', address: req.ip, channel: 'json-api' }, 'svm.forget', gone.id, { name: gone.name });
      return gone;
    },
  );

  app.get(
    '/diagnostics/svm-info',
    {
      schema: {
        tags: ['diagnostics'],
        summary: 'For a VM (BIOS UUID or name): the SVM it should use, and why every other SVM is not offered. Accept: text/plain for the Name: value text.',
        querystring: SvmInfoQuerySchema,
        response: { 200: SvmInfoSchema, 404: ErrorBodySchema, 409: SvmInfoSameNameSchema },
      },
    },
    async (req, reply) => {
      const found = svms.svmInfo(req.query.vm, `${req.protocol}://${req.host}`);
      if (found && 'sameName' in found) {
        const vms = found.sameName.map((v) => ({ biosId: v.biosId, name: v.name, lastAskedAt: new Date(v.lastAskedAt).toISOString() }));
        return reply.code(409).send({
          statusCode: 409,
          code: 'VM_NAME_AMBIGUOUS',
          error: 'Conflict',
          message: `${vms.length} VMs named '${req.query.vm}' have asked this Integration Server for SVMs: ${sameNameList(vms)}. Ask again with the BIOS UUID of the one you mean.`,
          vms,
        });
      }
      const info = found?.info;
      if (!info) {
        return reply.code(404).send({
          statusCode: 404,
          code: 'VM_NOT_KNOWN',
          error: 'Not Found',
          message:
            `No Light Agent with BIOS UUID or VM name '${req.query.vm}' has asked this Integration Server for SVMs. ` +
            'Check that the VM runs a Light Agent whose policy uses the Integration Server for SVM discovery, that the policy names this server and the agent account, and that the VM can reach this address.',
        });
      }
      if ((req.headers.accept ?? '').includes('text/plain')) {
        // The typed reply expects the JSON shape; the text bypasses that serializer on purpose.
        return reply.type('text/plain; charset=utf-8').serializer((s: string) => s).send(svmInfoText(info) as never);
      }
      return info;
    },
  );
}
