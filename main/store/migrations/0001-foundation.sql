-- Accounts of the Integration Server: only scrypt hashes, never passwords.
CREATE TABLE accounts (
  name TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  password_changed TEXT NOT NULL
) STRICT;

-- Long operations (design §4). Parameters and step memos are sealed: they may hold secrets.
CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  state TEXT NOT NULL,
  stage TEXT NOT NULL DEFAULT '',
  progress INTEGER NOT NULL DEFAULT 0,
  parent_id TEXT REFERENCES tasks(id) ON DELETE CASCADE,
  created_by TEXT NOT NULL,
  params_sealed TEXT NOT NULL,
  memo_sealed TEXT,
  steps_done INTEGER NOT NULL DEFAULT 0,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  result_json TEXT,
  error_code TEXT,
  error_message TEXT,
  created TEXT NOT NULL,
  state_changed TEXT NOT NULL,
  changed TEXT NOT NULL
) STRICT;
CREATE INDEX tasks_by_state ON tasks(state);
CREATE INDEX tasks_by_created ON tasks(created);
CREATE INDEX tasks_by_parent ON tasks(parent_id);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value_json TEXT NOT NULL
) STRICT;

-- Written and undone by the self-test task, so an operator (and the crash test) can see that
-- rollback really undid every finished step.
CREATE TABLE diagnostic_marks (
  task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  PRIMARY KEY (task_id, step)
) STRICT;
