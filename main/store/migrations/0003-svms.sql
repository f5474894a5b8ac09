-- The SVM registry (issue 6). The registry lives in memory for discovery; this table is what it is
-- rebuilt from after a restart. The last report is kept whole (without its periods), as JSON:
-- nothing queries inside it, and a new report field then needs no migration.
CREATE TABLE svms (
  id TEXT PRIMARY KEY,                 -- BIOS UUID, lower case
  name TEXT NOT NULL,
  report_json TEXT NOT NULL,
  last_report_at INTEGER NOT NULL,     -- epoch ms
  report_interval_ms INTEGER NOT NULL,
  first_seen_at INTEGER NOT NULL,
  -- Set when another machine reported this SVM's identity from a different address (issue 6 item 7).
  conflict_json TEXT
) STRICT;

-- Light Agents' connection periods as SVMs report them, for the protection reports (issue 7).
-- One row per (SVM, VM, start): an SVM that sends the same period again after a lost answer only
-- rewrites the same row, so time is never doubled. Times are epoch ms so that reports can clip and
-- sum them in SQL.
CREATE TABLE svm_connection_periods (
  svm_id TEXT NOT NULL,
  vm_bios_id TEXT NOT NULL,            -- lower case
  start_at INTEGER NOT NULL,
  end_at INTEGER,                      -- NULL while the agent is still connected
  PRIMARY KEY (svm_id, vm_bios_id, start_at)
) STRICT, WITHOUT ROWID;
CREATE INDEX svm_connection_periods_by_vm ON svm_connection_periods(vm_bios_id, start_at);
CREATE INDEX svm_connection_periods_open ON svm_connection_periods(svm_id) WHERE end_at IS NULL;

-- The Light Agents that have asked for SVMs: "when the agent last asked" and what it asked with,
-- for svm-info. Written in batches, never on the discovery hot path.
CREATE TABLE agents (
  vm_bios_id TEXT PRIMARY KEY,         -- lower case
  vm_name TEXT NOT NULL,
  last_asked_at INTEGER NOT NULL,
  request_json TEXT NOT NULL,
  offered_svm_id TEXT,                 -- the first SVM of the last answer; NULL when none or the sentinel
  outcome TEXT NOT NULL                -- 'svms' | 'sentinel' | 'none'
) STRICT;
