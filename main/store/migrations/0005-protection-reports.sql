-- Generated protection reports (rest-api.md §4): the CSV lives in the data folder's reports/,
-- this row says what it covers and when it expires.
CREATE TABLE protection_reports (
  id TEXT PRIMARY KEY,
  -- No foreign key: a report stays downloadable until it expires even if its tenant is removed.
  tenant_id TEXT,
  from_at INTEGER NOT NULL,
  to_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  file_name TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  lines INTEGER NOT NULL
) STRICT;
CREATE INDEX protection_reports_by_expiry ON protection_reports(expires_at);

-- Pruning closed periods past their lifetime, and finding the earliest record, by time.
CREATE INDEX svm_connection_periods_by_end ON svm_connection_periods(end_at) WHERE end_at IS NOT NULL;
CREATE INDEX svm_connection_periods_by_start ON svm_connection_periods(start_at);
