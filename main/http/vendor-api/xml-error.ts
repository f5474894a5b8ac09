import { XMLBuilder } from 'fast-xml-parser';

const builder = new XMLBuilder({ format: false, suppressEmptyNode: false });

/**
 * The one error body of the vendor XML API: `<error><code>…</code><message>…</message></error>`,
 * for synchronous refusals and, inside `<task>`, for failed tasks alike.
 */
export function xmlError(code: string, message: string): string {
  return '<?xml version="1.0" encoding="UTF-8"?>' + builder.build({ error: { code, message } });
}
