-- 004: histories that merge and grow large.
-- uuid: a run's identity across machines (random, RFC 4122 version 4), kept when a history is
-- imported elsewhere, so importing the same history twice adds nothing the second time. Runs of
-- older schemas get one here; the store gives every new run one.
-- epochs_done: finished epochs (student 0's metric rows), kept by the store in the transaction that
-- records or discards epochs, so listing, sorting and paging 10,000 runs never counts millions of
-- metric rows.
ALTER TABLE runs ADD COLUMN uuid TEXT;
UPDATE runs SET uuid = lower(
  hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
  substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
CREATE UNIQUE INDEX runs_by_uuid ON runs (uuid);

ALTER TABLE runs ADD COLUMN epochs_done INTEGER NOT NULL DEFAULT 0 CHECK (epochs_done >= 0);
UPDATE runs SET epochs_done = (SELECT COUNT(*) FROM epoch_metrics m WHERE m.run_id = runs.id AND m.student = 0);
