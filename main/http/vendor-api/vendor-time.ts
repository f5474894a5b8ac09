/**
 * The vendor's timestamps are `YYYY-MM-DDThh:mm:ss` with no zone (rest-api.md §1). Ours are UTC,
 * always: a billing script in any time zone reads the same instant (docs/rest-api-2.0.md).
 */
export function toVendorTime(iso: string): string {
  return new Date(iso).toISOString().slice(0, 19);
}

const VENDOR_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

/** Parses a query parameter in the vendor's format, as UTC; undefined when it is not one. */
export function fromVendorTime(value: string): string | undefined {
  const m = VENDOR_TIME.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls 2026-02-31 over into March; a real date survives the round trip.
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return date.toISOString();
}
