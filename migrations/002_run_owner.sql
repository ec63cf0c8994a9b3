-- 002: who owns a running run, so that nothing marks a live run dead.
-- A running run records its owner: the host (machine and pid namespace), the pid (the existing
-- `pid` column) and the process's start time, so that a pid reused by another program is not taken
-- for the trainer. heartbeat_at (001) is refreshed by the owner from a timer thread.
ALTER TABLE runs ADD COLUMN owner_host TEXT;
ALTER TABLE runs ADD COLUMN owner_start TEXT;
