import type { AccountName, AccountSummary, ChangePasswordResult } from '../../../main/contract/accounts.ts';
import type { CertificateInfo } from '../../../main/contract/certificate.ts';
import type { Health } from '../../../main/contract/health.ts';
import type { KscSettingsView, KscTestReportView } from '../../../main/contract/ksc.ts';
import type { AuditEntry, AuditListQuery } from '../../../main/contract/audit.ts';
import type { AccessReportBody, Infrastructure } from '../../../main/contract/infrastructure.ts';
import type { ProtectedTime, ProtectedTimeQuery, ProtectionReportRequest, ProtectionReportSettings } from '../../../main/contract/reports.ts';
import type { SvmInfo, SvmList, SvmListQuery, SvmSummary } from '../../../main/contract/svms.ts';
import type { SelfTestTaskRequest, Task, TaskList, TaskListQuery } from '../../../main/contract/tasks.ts';
import type { CreateTenantRequest, RegisterVmRequest, TenantList, TenantListQuery, TenantVm } from '../../../main/contract/tenants.ts';
import type { AddInfrastructureRequest, InventoryView, PeerIdentity, ProbeRequest } from '../../../main/contract/infrastructure.ts';
import type { KscSettingsRequest } from '../../../main/contract/ksc.ts';
import type { DeployedSvm, DeployRequest, PreflightReport, ReconfigureRequest, RemoveRequest } from '../../../main/contract/svm-deployment.ts';
import { IMAGE_UPLOAD_FILE_FIELD, type ImageUploadOptions, type ImportImageRequest, type SvmImage } from '../../../main/contract/svm-images.ts';
import type { HttpClient } from './http-client.ts';

/** The SVM Management Wizard's actions and the request body each takes. */
export type WizardRequests = { deploy: DeployRequest; remove: RemoveRequest; reconfigure: ReconfigureRequest };
export type WizardAction = keyof WizardRequests;

/** The OpenAPI document, only as far as the console reads it: which paths this server has. */
export type OpenApiPaths = { paths: Record<string, unknown> };

/**
 * The JSON API, one typed function per route, typed from main/contract: the same declarations the
 * server's schemas are built from, so a changed field breaks the console's typecheck, not its users.
 */
export function lightkeeperApi(http: HttpClient) {
  return {
    health: () => http.get<Health>('/api/v1/health'),
    openApi: () => http.get<OpenApiPaths>('/api/v1/openapi.json'),
    accounts: () => http.get<AccountSummary[]>('/api/v1/accounts'),
    certificate: () => http.get<CertificateInfo>('/api/v1/server/certificate'),
    tasks: (query: TaskListQuery = {}) => http.get<TaskList>('/api/v1/tasks', query),
    task: (id: string) => http.get<Task>(`/api/v1/tasks/${encodeURIComponent(id)}`),
    cancelTask: (id: string) => http.post<Task>(`/api/v1/tasks/${encodeURIComponent(id)}/cancel`),
    startSelfTest: (request: Partial<SelfTestTaskRequest>) => http.post<Task>('/api/v1/diagnostics/self-test-task', request),
    tenants: (query: TenantListQuery = {}) => http.get<TenantList>('/api/v1/tenants', query),
    tenantVms: (id: string) => http.get<{ items: TenantVm[]; total: number }>(`/api/v1/tenants/${encodeURIComponent(id)}/vms`),
    registerVms: (id: string, vms: RegisterVmRequest[]) => http.post<TenantVm[]>(`/api/v1/tenants/${encodeURIComponent(id)}/vms`, vms),
    createTenant: (request: CreateTenantRequest) => http.post<Task>('/api/v1/tenants', request),
    changeTenantActivation: (id: string, change: 'activate' | 'deactivate') => http.post<Task>(`/api/v1/tenants/${encodeURIComponent(id)}/${change}`),
    deleteTenant: (id: string, removeTenantArtifacts: boolean) => http.del<Task>(`/api/v1/tenants/${encodeURIComponent(id)}`, { removeTenantArtifacts }),
    svms: (query: SvmListQuery = {}) => http.get<SvmList>('/api/v1/svms', query),
    forgetSvm: (id: string) => http.del<SvmSummary>(`/api/v1/svms/${encodeURIComponent(id)}`),
    svmInfo: (vm: string) => http.get<SvmInfo>('/api/v1/diagnostics/svm-info', { vm }),
    protectedTime: (query: ProtectedTimeQuery) => http.get<ProtectedTime>('/api/v1/reports/protected-time', query),
    protectedTimeCsv: (query: ProtectedTimeQuery) => http.download('/api/v1/reports/protected-time.csv', query),
    createProtectionReport: (request: ProtectionReportRequest) => http.post<Task>('/api/v1/reports/protection', request),
    protectionReportFile: (id: string) => http.download(`/api/v1/reports/protection/${encodeURIComponent(id)}`),
    setProtectionReports: (patch: Partial<ProtectionReportSettings>) => http.patch<ProtectionReportSettings>('/api/v1/settings/protection-reports', patch),
    protectionReportSettings: () => http.get<ProtectionReportSettings>('/api/v1/settings/protection-reports'),
    infrastructures: () => http.get<{ items: Infrastructure[] }>('/api/v1/infrastructures'),
    testInfrastructure: (id: string) => http.post<AccessReportBody>(`/api/v1/infrastructures/${encodeURIComponent(id)}/test`),
    ksc: () => http.get<KscSettingsView>('/api/v1/ksc'),
    testKsc: () => http.post<KscTestReportView>('/api/v1/ksc/test'),
    audit: (query: AuditListQuery = {}) => http.get<{ items: AuditEntry[]; total: number }>('/api/v1/audit', query),
    // Infrastructures, SVM images, the SVM Management Wizard and the Administration Server connection.
    probeInfrastructure: (request: ProbeRequest) => http.post<PeerIdentity>('/api/v1/infrastructures/probe', request),
    addInfrastructure: (request: AddInfrastructureRequest) => http.post<Infrastructure>('/api/v1/infrastructures', request),
    removeInfrastructure: (id: string) => http.del<null>(`/api/v1/infrastructures/${encodeURIComponent(id)}`),
    pinInfrastructureIdentity: (id: string, fingerprint: string) => http.post<Infrastructure>(`/api/v1/infrastructures/${encodeURIComponent(id)}/fingerprint`, { fingerprint }),
    infrastructureInventory: (id: string) => http.get<InventoryView>(`/api/v1/infrastructures/${encodeURIComponent(id)}/inventory`),
    svmImages: () => http.get<{ items: SvmImage[] }>('/api/v1/svm-images'),
    importSvmImage: (request: ImportImageRequest) => http.post<SvmImage>('/api/v1/svm-images', request),
    /** The options go first: the server reads the fields that precede the file. */
    uploadSvmImage: (file: File, options: ImageUploadOptions, onProgress: (sent: number, total: number) => void, signal: AbortSignal) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(options)) if (value !== undefined) form.append(name, value);
      form.append(IMAGE_UPLOAD_FILE_FIELD, file, file.name);
      return http.upload<SvmImage>('/api/v1/svm-images/upload', form, onProgress, signal);
    },
    removeSvmImage: (id: string) => http.del<null>(`/api/v1/svm-images/${encodeURIComponent(id)}`),
    deployedSvms: (infrastructureId?: string) => http.get<{ items: DeployedSvm[] }>('/api/v1/deployed-svms', infrastructureId ? { infrastructureId } : {}),
    wizardPreflight: <A extends WizardAction>(action: A, request: WizardRequests[A]) => http.post<PreflightReport>(`/api/v1/svm-wizard/${action}/preflight`, request),
    startWizard: <A extends WizardAction>(action: A, request: WizardRequests[A]) => http.post<Task>(`/api/v1/svm-wizard/${action}`, request),
    setKsc: (request: KscSettingsRequest) => http.put<KscSettingsView>('/api/v1/ksc', request),
    clearKsc: () => http.del<null>('/api/v1/ksc'),
    probeKsc: (address: string, port?: number) => http.post<{ fingerprint: string }>('/api/v1/ksc/probe', port === undefined ? { address } : { address, port }),
    changePassword: (name: AccountName, password: string) => http.put<ChangePasswordResult>(`/api/v1/accounts/${encodeURIComponent(name)}/password`, { password }),
  };
}
export type LightkeeperApi = ReturnType<typeof lightkeeperApi>;
