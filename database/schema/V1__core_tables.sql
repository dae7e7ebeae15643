-- ODC core tables. Times are timestamptz; ids are UUIDs chosen by the application, except the
-- audit log, whose ids are assigned in chain order by its insert trigger.

create table users (
    id          uuid primary key,
    issuer      text        not null,
    subject     text        not null,
    username    text        not null,
    email       text,
    roles       text[]      not null default '{}',
    disabled    boolean     not null default false,
    created_at  timestamptz not null default now(),
    constraint users_issuer_subject_key unique (issuer, subject),
    constraint users_username_key unique (username),
    constraint users_username_not_blank check (btrim(username) <> '')
);

create table api_keys (
    id            uuid primary key,
    user_id       uuid        not null references users (id),
    name          text        not null,
    prefix        text        not null,
    -- hex SHA-256 of the whole key; the key itself is never stored
    key_hash      text        not null,
    scopes        text[]      not null default '{}',
    created_at    timestamptz not null default now(),
    expires_at    timestamptz not null,
    revoked_at    timestamptz,
    last_used_at  timestamptz,
    constraint api_keys_key_hash_key unique (key_hash),
    constraint api_keys_expiry_after_creation check (expires_at > created_at)
);
create index api_keys_user_idx on api_keys (user_id, created_at desc);

create table gpu_types (
    name                    text primary key,
    node_label_value        text        not null,
    gpus_per_node           integer     not null check (gpus_per_node > 0),
    cpus_per_node           integer     not null default 0 check (cpus_per_node >= 0),
    memory_gb_per_node      integer     not null default 0 check (memory_gb_per_node >= 0),
    total_gpus              integer     not null default 0 check (total_gpus >= 0),
    in_use_gpus             integer     not null default 0 check (in_use_gpus >= 0),
    free_gpus               integer     not null default 0 check (free_gpus >= 0),
    full_nodes_free         integer     not null default 0 check (full_nodes_free >= 0),
    max_reservable          integer     not null default 0 check (max_reservable >= 0),
    queued                  integer     not null default 0 check (queued >= 0),
    estimated_wait_seconds  bigint      not null default 0 check (estimated_wait_seconds >= 0),
    updated_at              timestamptz not null default now()
);

create table reservations (
    id                  uuid primary key,
    user_id             uuid             not null references users (id),
    username            text             not null,
    name                text             not null,
    gpu_type            text             not null,
    gpu_count           integer          not null check (gpu_count >= 0),
    node_count          integer          not null default 1 check (node_count > 0),
    image               text,
    hours               double precision not null check (hours > 0),
    disk_name           text,
    labels              jsonb            not null default '{}',
    status              text             not null check (status in
                            ('PENDING', 'QUEUED', 'PREPARING', 'ACTIVE', 'EXPIRED', 'CANCELLED', 'FAILED')),
    failure_reason      text,
    queue_position      integer,
    estimated_start_at  timestamptz,
    namespace           text,
    pod_name            text,
    node_name           text,
    ssh_host            text,
    ssh_port            integer check (ssh_port between 1 and 65535),
    created_at          timestamptz      not null default now(),
    started_at          timestamptz,
    expires_at          timestamptz,
    ended_at            timestamptz,
    warnings_sent       integer[]        not null default '{}',
    -- list of dev.odc.core.StatusChange as JSON, oldest first
    status_history      jsonb            not null default '[]',
    -- optimistic locking: every update checks and bumps it
    version             bigint           not null default 0 check (version >= 0),
    -- the processor instance working on the row, and until when its claim holds
    lease_holder        text,
    lease_expires_at    timestamptz
);
-- listings: a user's reservations, newest first, keyset on (created_at, id)
create index reservations_user_created_idx on reservations (user_id, created_at desc, id desc);
-- listings of everything, and of one status
create index reservations_created_idx on reservations (created_at desc, id desc);
create index reservations_status_created_idx on reservations (status, created_at desc, id desc);
-- the queue order of live reservations per GPU type
create index reservations_live_gpu_type_idx on reservations (gpu_type, created_at, id)
    where status in ('PENDING', 'QUEUED', 'PREPARING', 'ACTIVE');
-- live GPUs per user (quota checks)
create index reservations_live_user_idx on reservations (user_id)
    where status in ('PENDING', 'QUEUED', 'PREPARING', 'ACTIVE');
-- the expiry job: active rows by expiry time
create index reservations_active_expires_idx on reservations (expires_at)
    where status = 'ACTIVE';
-- the short ids the CLI shows (first 8 characters of the UUID)
create index reservations_id_text_idx on reservations ((id::text) text_pattern_ops);
-- leases that ran out
create index reservations_lease_idx on reservations (lease_expires_at)
    where lease_holder is not null;

create table disks (
    id                  uuid primary key,
    user_id             uuid        not null references users (id),
    name                text        not null,
    size_gb             integer     not null check (size_gb > 0),
    storage_class       text,
    zone                text,
    pvc_name            text,
    -- the disk lock: the reservation using the disk, null when free
    in_use_by           uuid references reservations (id),
    last_snapshot_name  text,
    orphaned            boolean     not null default false,
    created_at          timestamptz not null default now(),
    deleted_at          timestamptz
);
-- a name is unique per user among disks that are not deleted
create unique index disks_user_name_live_key on disks (user_id, name) where deleted_at is null;
-- a reservation holds at most one disk; with the conditional UPDATE in DiskDao.acquire this
-- makes the lock exclusive both ways
create unique index disks_in_use_by_key on disks (in_use_by) where in_use_by is not null;
create index disks_user_created_idx on disks (user_id, created_at desc, id desc);
create index disks_orphaned_idx on disks (created_at) where orphaned;

create table disk_snapshots (
    id                 uuid primary key,
    disk_id            uuid        not null references disks (id),
    -- the CSI VolumeSnapshot object's name
    snapshot_name      text        not null,
    cloud_snapshot_id  text,
    size_gb            integer check (size_gb > 0),
    ready              boolean     not null default false,
    created_at         timestamptz not null default now(),
    retained_until     timestamptz,
    deleted_at         timestamptz,
    constraint disk_snapshots_snapshot_name_key unique (snapshot_name)
);
create index disk_snapshots_disk_idx on disk_snapshots (disk_id, created_at desc)
    where deleted_at is null;
create index disk_snapshots_retention_idx on disk_snapshots (retained_until)
    where deleted_at is null;

-- The append-only audit log. Rows are chained: prev_hash is the previous row's hash and hash is
-- SHA-256 over prev_hash and the row's canonical content (odc_audit_hash). The BEFORE INSERT
-- trigger assigns id, at, prev_hash and hash under a transaction-scoped advisory lock, so
-- concurrent writers append to one chain in id order. Other triggers reject UPDATE, DELETE and
-- TRUNCATE.
create sequence audit_log_id_seq;

create table audit_log (
    id             bigint primary key,
    at             timestamptz not null,
    actor          text        not null check (btrim(actor) <> ''),
    action         text        not null check (btrim(action) <> ''),
    resource_type  text        not null check (btrim(resource_type) <> ''),
    resource_id    text,
    outcome        text        not null check (outcome in ('success', 'denied', 'failure')),
    details        jsonb       not null default '{}',
    prev_hash      text        not null,
    hash           text        not null
);
alter sequence audit_log_id_seq owned by audit_log.id;
create index audit_log_at_idx on audit_log (at desc, id desc);
create index audit_log_actor_idx on audit_log (actor, id desc);
create index audit_log_action_idx on audit_log (action, id desc);
create index audit_log_resource_idx on audit_log (resource_type, resource_id, id desc);
create index audit_log_outcome_idx on audit_log (outcome, id desc) where outcome <> 'success';

-- The canonical content of one audit row: a JSON array, so nulls and separators are
-- unambiguous; the time as integer microseconds since the epoch, independent of the session's
-- TimeZone and DateStyle; details as jsonb's own normalized text.
create function odc_audit_hash(prev_hash text, id bigint, at timestamptz, actor text, action text,
                               resource_type text, resource_id text, outcome text, details jsonb)
    returns text
    language sql
    immutable
as $$
select encode(sha256(convert_to(prev_hash || jsonb_build_array(
           id, (extract(epoch from at) * 1000000)::bigint, actor, action, resource_type,
           resource_id, outcome, details)::text, 'UTF8')), 'hex')
$$;

create function odc_audit_chain() returns trigger
    language plpgsql
as $$
declare
    previous text;
begin
    -- one writer at a time appends to the chain; the lock ends with the transaction, after
    -- the row is visible to the next writer
    perform pg_advisory_xact_lock(hashtext('odc.audit_log'));
    select a.hash into previous from audit_log a order by a.id desc limit 1;
    new.id := nextval('audit_log_id_seq');
    -- the time of the append, not a caller's claim, so ids and times run in the same order
    new.at := clock_timestamp();
    new.details := coalesce(new.details, '{}'::jsonb);
    new.prev_hash := coalesce(previous, repeat('0', 64));
    new.hash := odc_audit_hash(new.prev_hash, new.id, new.at, new.actor, new.action,
                               new.resource_type, new.resource_id, new.outcome, new.details);
    return new;
end
$$;

create function odc_audit_immutable() returns trigger
    language plpgsql
as $$
begin
    raise exception 'audit_log is append-only: % is not allowed', tg_op
        using errcode = 'insufficient_privilege';
end
$$;

create trigger audit_log_chain
    before insert on audit_log
    for each row execute function odc_audit_chain();
create trigger audit_log_no_update_delete
    before update or delete on audit_log
    for each row execute function odc_audit_immutable();
create trigger audit_log_no_truncate
    before truncate on audit_log
    for each statement execute function odc_audit_immutable();
