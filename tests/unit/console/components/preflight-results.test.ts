import { afterEach, describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import PreflightResults from '../../../../renderer/src/features/svm-wizard/PreflightResults.vue';
import type { PreflightReport } from '../../../../main/contract/svm-deployment.ts';

let wrapper: ReturnType<typeof mount> | undefined;
afterEach(() => wrapper?.unmount());

const show = (report: PreflightReport) => (wrapper = mount(PreflightResults, { props: { report } }));

describe('PreflightResults', () => {
  it('shows every check with pass or fail, and how to fix each failed one', () => {
    const w = show({
      ok: false,
      checks: [
        { id: 'password:root', result: 'failed', message: 'The root password: characters not allowed.' },
        { id: 'name-free', result: 'failed', svm: 'svm-01', message: 'A VM named "svm-01" already exists on the infrastructure.' },
        { id: 'host-key', result: 'ok', message: 'Reachable, pinned identity presented.' },
      ],
    });
    expect(w.get('[data-preflight-verdict]').attributes('data-ok')).toBe('false');
    expect(w.text()).toContain('2 check(s) failed');
    const rows = w.findAll('[data-check]');
    expect(rows.map((r) => [r.attributes('data-check'), r.attributes('data-result')])).toEqual([
      ['password:root', 'failed'],
      ['name-free', 'failed'],
      ['host-key', 'ok'],
    ]);
    expect(rows[0]!.text()).toMatch(/Fail.*How to fix: Go back to "Administration Server and passwords"/s);
    expect(rows[1]!.text()).toContain('(svm-01)');
    expect(rows[1]!.text()).toContain('How to fix: Choose another SVM name');
    expect(rows[2]!.text()).toContain('Pass');
    expect(rows[2]!.text()).not.toContain('How to fix');
  });

  it('lets warnings through, saying there is something to read', () => {
    const w = show({ ok: true, checks: [{ id: 'free-space', result: 'warning', message: 'Storage "default" does not report its free space.' }] });
    expect(w.get('[data-preflight-verdict]').attributes('data-ok')).toBe('true');
    expect(w.text()).toContain('1 warning(s) to read before you start');
    expect(w.text()).toContain('How to fix: Free space on that storage');
  });
});
