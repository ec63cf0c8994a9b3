-- 001: the experiment store's first schema.
-- Applied by core/store/migrate.ts inside one transaction together with any later pending migration;
-- a migration file must therefore not contain BEGIN/COMMIT.
-- Conventions: timestamps are ISO-8601 UTC text ('2025-01-31T12:00:00.000Z', sorts as time);
-- JSON columns hold valid JSON text; metrics the trainer could not compute are NULL.

-- Datasets the workbench has seen (catalog entries, imported files, generators), keyed by name.
CREATE TABLE datasets (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  source      TEXT    NOT NULL,                 -- file path, catalog name or generator spec
  format      TEXT,                             -- 'npz', 'ppi', 'generator', ...
  task        TEXT    CHECK (task IN ('multiclass', 'multilabel')),
  nodes       INTEGER CHECK (nodes >= 0),
  edges       INTEGER CHECK (edges >= 0),
  features    INTEGER CHECK (features >= 0),
  classes     INTEGER CHECK (classes >= 0),
  graphs      INTEGER CHECK (graphs >= 0),
  sha256      TEXT,
  stats       TEXT    CHECK (stats IS NULL OR json_valid(stats)),
  created_at  TEXT    NOT NULL,
  updated_at  TEXT    NOT NULL
) STRICT;

-- One training run: a group of students trained together with one distillation strategy.
CREATE TABLE runs (
  id                INTEGER PRIMARY KEY,
  name              TEXT    NOT NULL,
  group_name        TEXT,                       -- sweeps: runs launched together share a group
  status            TEXT    NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted')),
  cancel_requested  INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
  config            TEXT    NOT NULL CHECK (json_valid(config)),
  dataset_id        INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
  dataset           TEXT    NOT NULL,           -- the dataset as the run named it; kept if the registry entry goes
  model             TEXT    NOT NULL,
  strategy          TEXT    NOT NULL,
  num_students      INTEGER NOT NULL CHECK (num_students >= 1),
  num_layers        INTEGER NOT NULL CHECK (num_layers >= 1),
  seed              INTEGER NOT NULL,
  backend           TEXT,
  backend_report    TEXT    CHECK (backend_report IS NULL OR json_valid(backend_report)),
  versions          TEXT    CHECK (versions IS NULL OR json_valid(versions)),
  tags              TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
  notes             TEXT    NOT NULL DEFAULT '',
  planned_epochs    INTEGER CHECK (planned_epochs IS NULL OR planned_epochs >= 0),
  error             TEXT,
  pid               INTEGER,                    -- the process that owns a running run
  created_at        TEXT    NOT NULL,
  started_at        TEXT,                       -- first start; a resume keeps it
  finished_at       TEXT,
  updated_at        TEXT    NOT NULL,
  heartbeat_at      TEXT
) STRICT;

CREATE INDEX runs_by_status ON runs (status, id);
CREATE INDEX runs_by_group ON runs (group_name, id);
CREATE INDEX runs_by_dataset ON runs (dataset_id);

-- One row per student of a run, created with the run; the best/convergence summary fills in as it trains.
CREATE TABLE students (
  run_id         INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  idx            INTEGER NOT NULL CHECK (idx >= 0),
  best_val       REAL,
  best_epoch     INTEGER,
  test_at_best   REAL,
  epochs_to_95   INTEGER,
  seconds_to_95  REAL,
  epochs_to_99   INTEGER,
  seconds_to_99  REAL,
  PRIMARY KEY (run_id, idx)
) STRICT;

-- Per epoch and per student. An epoch is written in one transaction, so it is whole or absent.
CREATE TABLE epoch_metrics (
  run_id        INTEGER NOT NULL,
  student       INTEGER NOT NULL,
  epoch         INTEGER NOT NULL CHECK (epoch >= 1),
  task_loss     REAL,
  distill_loss  REAL,
  train_metric  REAL,
  val_metric    REAL,
  test_metric   REAL,                           -- only on evaluated epochs
  epoch_ms      REAL    NOT NULL CHECK (epoch_ms >= 0),    -- wall time of this epoch
  elapsed_ms    REAL    NOT NULL CHECK (elapsed_ms >= 0),  -- wall time since the run's training began
  PRIMARY KEY (run_id, student, epoch),
  FOREIGN KEY (run_id, student) REFERENCES students(run_id, idx) ON DELETE CASCADE
) STRICT;

CREATE INDEX epoch_metrics_by_epoch ON epoch_metrics (run_id, epoch);

-- Layer-alignment heatmaps: M[i][m] = D(H_student^(i), H_peer^(m)), row-major float32 little-endian.
CREATE TABLE alignment_matrices (
  run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch    INTEGER NOT NULL CHECK (epoch >= 0),  -- 0: before the first training epoch
  student  INTEGER NOT NULL CHECK (student >= 0),
  peer     INTEGER NOT NULL CHECK (peer >= 0),
  rows     INTEGER NOT NULL CHECK (rows >= 1),
  cols     INTEGER NOT NULL CHECK (cols >= 1),
  data     BLOB    NOT NULL CHECK (length(data) = rows * cols * 4),
  PRIMARY KEY (run_id, epoch, student, peer)
) STRICT;

-- Serialized training state for resume; the store keeps only the most recent few per run.
-- Stored inside the database (not as side files) so that deleting or copying a run is one operation.
CREATE TABLE checkpoints (
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch       INTEGER NOT NULL CHECK (epoch >= 0),
  created_at  TEXT    NOT NULL,
  data        BLOB    NOT NULL,
  PRIMARY KEY (run_id, epoch)
) STRICT;

-- A run's timeline: status changes, backend choice, warnings, errors.
CREATE TABLE run_events (
  id       INTEGER PRIMARY KEY,
  run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  at       TEXT    NOT NULL,
  level    TEXT    NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
  kind     TEXT    NOT NULL,
  message  TEXT    NOT NULL,
  data     TEXT    CHECK (data IS NULL OR json_valid(data))
) STRICT;

CREATE INDEX run_events_by_run ON run_events (run_id, id);
