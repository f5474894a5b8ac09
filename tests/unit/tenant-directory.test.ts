import { describe, expect, it } from 'vitest';
import { createTenantDirectory } from '../../main/services/tenant-directory.ts';

const A = '4c4c4544-0042-3010-8052-b4c04f4b4b31';
const B = '11111111-2222-3333-4444-555555555555';

describe('the in-memory tenant directory that discovery asks', () => {
  it('answers by BIOS UUID in any case, braced or not, and follows every change', () => {
    const d = createTenantDirectory();
    d.load([{ id: 't1', type: 'Complete', status: 'Inactive' }], [{ biosId: A, tenantId: 't1' }]);
    expect(d.tenantOfVm(A.toUpperCase())).toEqual({ type: 'Complete', status: 'Inactive' });
    expect(d.tenantOfVm(` {${A.toUpperCase()}} `)).toEqual({ type: 'Complete', status: 'Inactive' });
    expect(d.tenantOfVm(B)).toBeUndefined();
    expect(d.tenantOfVm('not a uuid')).toBeUndefined();
    d.setTenant('t1', { type: 'Complete', status: 'Active' });
    expect(d.tenantOfVm(A)).toEqual({ type: 'Complete', status: 'Active' });
    d.setTenant('t2', { type: 'Simple', status: 'Inactive' });
    d.addVm(B, 't2');
    expect(d.tenantOfVm(B)).toEqual({ type: 'Simple', status: 'Inactive' });
    d.removeVm(B);
    expect(d.tenantOfVm(B)).toBeUndefined();
    d.removeTenant('t1');
    expect(d.tenantOfVm(A)).toBeUndefined();
  });

  it('answers discovery by the id in its stored form only, as it is', () => {
    const d = createTenantDirectory();
    d.load([{ id: 't1', type: 'Complete', status: 'Inactive' }], [{ biosId: A, tenantId: 't1' }]);
    expect(d.tenantOfStoredVm(A)).toEqual({ type: 'Complete', status: 'Inactive' });
    expect(d.tenantOfStoredVm(A.toUpperCase())).toBeUndefined();
    expect(d.tenantOfStoredVm(`{${A}}`)).toBeUndefined();
    expect(d.tenantOfStoredVm(B)).toBeUndefined();
  });

  it('hands out copies: a caller cannot change what the next caller reads', () => {
    const d = createTenantDirectory();
    d.load([{ id: 't1', type: 'Complete', status: 'Active' }], [{ biosId: A, tenantId: 't1' }]);
    (d.tenantOfVm(A) as { status: string }).status = 'Inactive';
    expect(d.tenantOfVm(A)?.status).toBe('Active');
  });
});
