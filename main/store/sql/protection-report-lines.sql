-- The lines of the vendor's protection report (rest-api.md §4.3), periods clipped to [:from, :to).
-- A period still open ends at :open_until (when the report is made, or :to if earlier).
-- Times are epoch ms in the table and whole UTC seconds in the report. Ordered by the index on
-- (vm_bios_id, start_at), so the database streams rows without sorting them. `npm run bench`
-- hands this same text to the sqlite3 CLI as its reference.
SELECT COALESCE(t.id, '') AS tenant_id,
       COALESCE(t.name, '') AS tenant_name,
       p.vm_bios_id AS vm_id,
       COALESCE(NULLIF(v.name, ''), a.vm_name, '') AS vm_name,
       strftime('%Y-%m-%dT%H:%M:%S', MAX(p.start_at, :from) / 1000, 'unixepoch') AS enabled_at,
       strftime('%Y-%m-%dT%H:%M:%S', MIN(COALESCE(p.end_at, :open_until), :to) / 1000, 'unixepoch') AS disabled_at
FROM svm_connection_periods p
LEFT JOIN tenant_vms v ON v.bios_id = p.vm_bios_id
LEFT JOIN tenants t ON t.id = v.tenant_id AND t.lifecycle = 'Ready'
LEFT JOIN agents a ON a.vm_bios_id = p.vm_bios_id
WHERE p.start_at < :to AND COALESCE(p.end_at, :open_until) > :from
  AND (:tenant IS NULL OR t.id = :tenant)
ORDER BY p.vm_bios_id, p.start_at, p.svm_id
