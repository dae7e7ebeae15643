-- What each job did last, for the health check and metrics. One row per job, shared by every
-- replica, because in a cluster the run may have happened on another instance.
CREATE TABLE job_runs
(
  job_name      TEXT PRIMARY KEY,
  instance_id   TEXT        NOT NULL,
  started_at    TIMESTAMPTZ NOT NULL,
  finished_at   TIMESTAMPTZ,
  duration_ms   BIGINT,
  outcome       TEXT        NOT NULL CHECK (outcome IN ('running', 'success', 'failure')),
  message       TEXT,
  last_success_at TIMESTAMPTZ,
  runs          BIGINT      NOT NULL DEFAULT 0,
  failures      BIGINT      NOT NULL DEFAULT 0
);

-- Reservations the expiry job already put an EXPIRE message on the queue for. Written in the same
-- transaction as the pgmq send, so a crash between the two cannot enqueue twice or not at all.
-- Keyed by the deadline too: after an extension the new deadline gets its own EXPIRE.
CREATE TABLE expiry_enqueued
(
  reservation_id UUID        NOT NULL,
  expires_at     TIMESTAMPTZ NOT NULL,
  msg_id         BIGINT,
  enqueued_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (reservation_id, expires_at)
);

-- Snapshots the retention job found never ready, first seen time, so the age limit counts from
-- when the platform first noticed them even if the object carries no creation time we trust.
CREATE TABLE snapshot_findings
(
  snapshot_name TEXT PRIMARY KEY,
  first_seen_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  reported_at   TIMESTAMPTZ
);
