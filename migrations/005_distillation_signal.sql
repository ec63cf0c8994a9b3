-- 003: the distillation-signal diagnostic (docs/PROTOCOL.md, "Is the distillation doing anything?").
-- One row per epoch (0: before training), ordered student pair (student learns from peer) and
-- planned layer pair (student_layer <- peer_layer, 0-based), measured in eval mode on the evaluation
-- nodes. Figures that are undefined (non-l1 kernels have no τ; no node with two in-edges) are NULL.
CREATE TABLE distillation_signal (
  run_id                INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch                 INTEGER NOT NULL CHECK (epoch >= 0),
  student               INTEGER NOT NULL CHECK (student >= 0),
  peer                  INTEGER NOT NULL CHECK (peer >= 0),
  student_layer         INTEGER NOT NULL CHECK (student_layer >= 0),
  peer_layer            INTEGER NOT NULL CHECK (peer_layer >= 0),
  tau                   REAL    CHECK (tau IS NULL OR tau > 0),   -- the l1 kernel's τ (τ auto: the one the next epoch trains with)
  distance_over_tau_q1  REAL,                                    -- quartiles of the peer layer's neighbour distances over τ
  distance_over_tau_median REAL,
  distance_over_tau_q3  REAL,
  mean_kl               REAL,                                    -- KL(peer ‖ student) per node
  contrast              REAL,                                    -- 1 − mean H(LS)/log(degree) of the peer's structure
  student_contrast      REAL,                                    -- the same for the student's layer
  state                 TEXT    NOT NULL CHECK (state IN ('active', 'near-uniform', 'saturated', 'unknown')),
  PRIMARY KEY (run_id, epoch, student, peer, student_layer, peer_layer)
) STRICT;
