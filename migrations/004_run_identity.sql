-- 004: histories that merge and grow large.
-- uuid: a run's identity across machines, kept when a history is imported elsewhere, so importing
-- the same history twice adds nothing the second time. The store gives new runs a random one; runs of
-- older schemas get one derived from what they never change (stable_run_uuid, registered by
-- core/store/migration-functions.ts), so every copy of an old history upgrades to the same identities.
-- epochs_done: finished epochs (student 0's metric rows), kept by the store in the transaction that
-- records or discards epochs, so listing, sorting and paging 10,000 runs never counts millions of
-- metric rows.
ALTER TABLE runs ADD COLUMN uuid TEXT;
UPDATE runs SET uuid = stable_run_uuid(created_at, id, config);
CREATE UNIQUE INDEX runs_by_uuid ON runs (uuid);

ALTER TABLE runs ADD COLUMN epochs_done INTEGER NOT NULL DEFAULT 0 CHECK (epochs_done >= 0);
UPDATE runs SET epochs_done = (SELECT COUNT(*) FROM epoch_metrics m WHERE m.run_id = runs.id AND m.student = 0);

-- the experiment manager's default order (newest first) straight from an index
CREATE INDEX runs_by_created ON runs (created_at, id);
