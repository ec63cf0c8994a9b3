-- 003: runs trained by remote workers through the queue (core/queue/), and the data every run saw.
-- A remote run is recorded exactly like a local one; these columns only say where it ran and let the
-- coordinator apply each worker's results once (see core/queue/ingest.ts).
ALTER TABLE runs ADD COLUMN worker TEXT;            -- the worker that trained it (its --name); NULL: this machine
ALTER TABLE runs ADD COLUMN dataset_sha256 TEXT;    -- SHA-256 of the canonical arrays it trained on
ALTER TABLE runs ADD COLUMN queue_job TEXT;         -- the BullMQ job that trains it remotely; NULL: a local run
ALTER TABLE runs ADD COLUMN queue_lease TEXT;       -- the worker lease whose results are applied now
ALTER TABLE runs ADD COLUMN queue_seq INTEGER;      -- the last result message of that lease applied
