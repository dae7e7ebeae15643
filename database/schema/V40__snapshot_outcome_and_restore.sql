-- A release snapshot is followed until it is ready or failed: the failure (the snapshot
-- controller's error, or "not ready after ...") is recorded here; null while it is pending or
-- once it is ready.
alter table disk_snapshots add column failure text;
-- `gpu-dev disk restore NAME --snapshot ID`: the newest requested snapshot of a disk is what its
-- next reservation restores from; the request is cleared when that claim is made.
alter table disk_snapshots add column restore_requested_at timestamptz;
-- snapshots still being followed: few, looked up by the follower's sweep
create index disk_snapshots_pending_idx on disk_snapshots (created_at)
    where not ready and failure is null and deleted_at is null;
