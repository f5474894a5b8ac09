import { Command, Option } from 'commander';
import { writeReportFile } from '../services/offline-reports.ts';
import { dataOption } from './options.ts';

/** `2026-11-01T00:00:00` as the vendor writes it (UTC), or any ISO 8601 time with a zone. */
export function parseReportTime(value: string, name: string): number {
  const text = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(value) ? `${value}Z` : /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`${name} must be a date and time such as 2026-11-01T00:00:00 (UTC), not '${value}'.`);
  return ms;
}

export function reportCommand(): Command {
  return new Command('report')
    .description("write a tenant protection report (the vendor's CSV) from the data folder, for scripts")
    .addOption(dataOption())
    .addOption(new Option('--tenant <id>', 'one tenant').conflicts('all'))
    .addOption(new Option('--all', 'every protected VM, including VMs of no tenant'))
    .addOption(new Option('--from <time>', 'start, UTC (default: the earliest record)'))
    .addOption(new Option('--to <time>', 'end, UTC (default: now)'))
    .requiredOption('--out <file>', 'the CSV file to write')
    .action(async (opts: { data: string; tenant?: string; all?: boolean; from?: string; to?: string; out: string }) => {
      if (!opts.tenant && !opts.all) throw new Error('Say whose report: --tenant ID, or --all.');
      const from = opts.from === undefined ? undefined : parseReportTime(opts.from, '--from');
      const to = opts.to === undefined ? undefined : parseReportTime(opts.to, '--to');
      if (from !== undefined && to !== undefined && from >= to) throw new Error('--from must be earlier than --to.');
      const r = await writeReportFile(opts.data, { tenantId: opts.tenant ?? null, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) }, opts.out);
      console.log(`Wrote ${r.lines} periods (${r.bytes} bytes) to ${opts.out}, ${new Date(r.scope.from).toISOString()} … ${new Date(r.scope.to).toISOString()}.`);
    });
}
