-- SSH access: the public keys users register, and where the api-service's tunnel reaches each
-- node of a reservation. (The version leaves room below it for migrations made at the same time.)

create table ssh_keys (
    id           uuid primary key,
    user_id      uuid        not null references users (id),
    name         text        not null check (btrim(name) <> ''),
    key_type     text        not null,
    bits         integer     not null check (bits > 0),
    -- 'SHA256:' and the unpadded base64 of the key blob's SHA-256, as ssh-keygen -l prints it
    fingerprint  text        not null,
    -- one authorized_keys line without comment: key type and base64 blob
    public_key   text        not null,
    created_at   timestamptz not null default now(),
    constraint ssh_keys_user_fingerprint_key unique (user_id, fingerprint)
);
create index ssh_keys_user_idx on ssh_keys (user_id, created_at, id);

-- The address of each node's pod as the processor last saw it. ssh_port is 22 in a cluster;
-- the sandbox's stand-in pods listen elsewhere on loopback.
create table pod_endpoints (
    reservation_id  uuid        not null references reservations (id),
    node_index      integer     not null check (node_index >= 0),
    address         text        not null check (btrim(address) <> ''),
    ssh_port        integer     not null default 22 check (ssh_port between 1 and 65535),
    updated_at      timestamptz not null default now(),
    primary key (reservation_id, node_index)
);
