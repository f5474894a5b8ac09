import { Command, Option } from 'commander';
import { protectionReportSettings } from '../services/offline-reports.ts';
import { dataOption } from './options.ts';

const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number of at least 1, not '${v}'.`);
  return n;
};

export function settingsCommand(): Command {
  const settings = new Command('settings').description('server settings kept in the data folder');
  settings
    .command('protection-reports')
    .description('show or change protection-period collection (EnableProtectionReports) and the lifetimes; a running server follows within 15 s')
    .addOption(dataOption())
    .addOption(new Option('--enable', 'collect connection periods from SVM reports').conflicts('disable'))
    .addOption(new Option('--disable', 'stop collecting connection periods'))
    .addOption(new Option('--periods-lifetime-days <n>', 'keep raw periods this many days (ProtectionPeriodsRecordsLifetimeDays)').argParser(positive('--periods-lifetime-days')))
    .addOption(new Option('--report-lifetime-hours <n>', 'keep a generated report this many hours').argParser(positive('--report-lifetime-hours')))
    .action(async (opts: { data: string; enable?: boolean; disable?: boolean; periodsLifetimeDays?: number; reportLifetimeHours?: number }) => {
      const s = await protectionReportSettings(opts.data, {
        ...(opts.enable ? { enabled: true } : opts.disable ? { enabled: false } : {}),
        ...(opts.periodsLifetimeDays !== undefined ? { periodsLifetimeDays: opts.periodsLifetimeDays } : {}),
        ...(opts.reportLifetimeHours !== undefined ? { reportLifetimeHours: opts.reportLifetimeHours } : {}),
      });
      console.log(`Collection of protection periods  ${s.enabled ? 'on' : 'off'}`);
      console.log(`Raw periods kept                  ${s.periodsLifetimeDays} days`);
      console.log(`Generated reports kept            ${s.reportLifetimeHours} hours`);
    });
  return settings;
}
