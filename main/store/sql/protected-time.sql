-- Protected VM-hours per step and tenant, plus per-tenant totals and peak concurrent VMs, for
-- [:from, :to). Everything is summed in the database; `:first` is the start of the step holding :from.
-- A period still open ends at :open_until (now, or :to if earlier): the future is never counted.
WITH RECURSIVE
steps(s) AS (SELECT :first UNION ALL SELECT s + :step FROM steps WHERE s + :step < :to),
clipped AS (
  SELECT t.id AS tenant_id, t.name AS tenant_name, p.vm_bios_id AS vm,
         MAX(p.start_at, :from) AS s, MIN(COALESCE(p.end_at, :open_until), :to) AS e
  FROM svm_connection_periods p
  LEFT JOIN tenant_vms v ON v.bios_id = p.vm_bios_id
  LEFT JOIN tenants t ON t.id = v.tenant_id AND t.lifecycle = 'Ready'
  WHERE p.start_at < :to AND COALESCE(p.end_at, :open_until) > :from
    AND (:tenant IS NULL OR t.id = :tenant)
)
SELECT 'step' AS kind, c.tenant_id, MAX(c.tenant_name) AS tenant_name, steps.s AS step_start,
       SUM(MIN(c.e, steps.s + :step) - MAX(c.s, steps.s)) / 3600000.0 AS vm_hours, NULL AS peak, NULL AS vms
FROM clipped c JOIN steps ON c.s < steps.s + :step AND c.e > steps.s
GROUP BY c.tenant_id, steps.s
UNION ALL
SELECT 'total', c.tenant_id, MAX(c.tenant_name), NULL, SUM(c.e - c.s) / 3600000.0,
       (SELECT MAX(running) FROM (
          -- Ends sort before starts at the same instant: a hand-over between SVMs is not two VMs.
          SELECT SUM(d) OVER (ORDER BY at, d ROWS UNBOUNDED PRECEDING) AS running
          FROM (SELECT s AS at, 1 AS d FROM clipped x WHERE x.tenant_id IS c.tenant_id
                UNION ALL SELECT e, -1 FROM clipped x WHERE x.tenant_id IS c.tenant_id))),
       COUNT(DISTINCT c.vm)
FROM clipped c
GROUP BY c.tenant_id
