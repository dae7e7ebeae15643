-- The web console's server-side sessions (backend-for-frontend). The browser holds only a random
-- session id in an HttpOnly cookie; the table keeps its SHA-256, never the id itself, so a copy of
-- the table cannot be replayed as a cookie. Kept in the database rather than in memory so every
-- api-service replica answers every request of a session, and a restart logs nobody out.
create table console_sessions (
    id_hash       text        primary key,
    user_id       uuid        not null references users (id) on delete cascade,
    -- the roles the identity provider gave at login, as the API's OIDC path derives them
    roles         text[]      not null default '{}',
    -- the synchronizer token every state-changing request must echo in X-CSRF-Token
    csrf_token    text        not null,
    created_at    timestamptz not null,
    last_seen_at  timestamptz not null,
    expires_at    timestamptz not null,
    constraint console_sessions_expiry_after_creation check (expires_at > created_at)
);
create index console_sessions_user_idx on console_sessions (user_id);
create index console_sessions_expires_idx on console_sessions (expires_at);

-- Logins in flight: between the redirect to the identity provider and its callback. Keyed by the
-- SHA-256 of the OAuth state; single use (deleted when the callback arrives), short-lived.
create table console_logins (
    state_hash     text        primary key,
    code_verifier  text        not null,
    nonce          text        not null,
    return_to      text        not null,
    expires_at     timestamptz not null
);
create index console_logins_expires_idx on console_logins (expires_at);
