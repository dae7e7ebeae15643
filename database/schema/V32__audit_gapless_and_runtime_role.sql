-- Audit ids without gaps: each row takes the previous row's id + 1 under the chain's lock, so a
-- rolled-back append leaves no hole and a missing id means a removed row. Ids before this
-- migration came from a sequence and may have holes; verification checks continuity after them.
create table audit_log_meta (
    singleton     boolean primary key default true check (singleton),
    gapless_after bigint  not null
);
insert into audit_log_meta (gapless_after) select coalesce(max(id), 0) from audit_log;

create or replace function odc_audit_chain() returns trigger
    language plpgsql
as $$
declare
    previous_id bigint;
    previous text;
begin
    -- one writer at a time appends to the chain; the lock ends with the transaction, after
    -- the row is visible to the next writer
    perform pg_advisory_xact_lock(hashtext('odc.audit_log'));
    select a.id, a.hash into previous_id, previous from audit_log a order by a.id desc limit 1;
    new.id := coalesce(previous_id, 0) + 1;
    -- the time of the append, not a caller's claim, so ids and times run in the same order
    new.at := clock_timestamp();
    new.details := coalesce(new.details, '{}'::jsonb);
    new.prev_hash := coalesce(previous, repeat('0', 64));
    new.hash := odc_audit_hash(new.prev_hash, new.id, new.at, new.actor, new.action,
                               new.resource_type, new.resource_id, new.outcome, new.details);
    return new;
end
$$;

-- The role the services run as (docs/security.md): it reads and writes ODC's tables but owns
-- none, so it can neither change nor delete audit rows nor disable the audit triggers. Creating
-- it needs CREATEROLE; without that the operator creates it (same name) and runs this again.
do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'odc_runtime') then
        create role odc_runtime nologin;
    end if;
exception
    when insufficient_privilege then
        raise notice 'cannot create role odc_runtime here; create it and grant as docs/security.md says';
    when duplicate_object or unique_violation then
        null; -- another database's migration created it at the same moment
end
$$;

do $$
begin
    if exists (select 1 from pg_roles where rolname = 'odc_runtime') then
        execute 'grant usage on schema public to odc_runtime';
        execute 'grant select, insert, update, delete on all tables in schema public to odc_runtime';
        execute 'grant usage, select, update on all sequences in schema public to odc_runtime';
        execute 'revoke update, delete, truncate on audit_log, audit_log_meta, flyway_schema_history from odc_runtime';
        execute 'grant execute on all functions in schema public to odc_runtime';
        -- tables of later migrations, created by the same migration role
        execute 'alter default privileges in schema public grant select, insert, update, delete on tables to odc_runtime';
        execute 'alter default privileges in schema public grant usage, select, update on sequences to odc_runtime';
        if exists (select 1 from pg_namespace where nspname = 'pgmq') then
            execute 'grant usage on schema pgmq to odc_runtime';
            execute 'grant select, insert, update, delete on all tables in schema pgmq to odc_runtime';
            execute 'grant usage, select, update on all sequences in schema pgmq to odc_runtime';
            execute 'grant execute on all functions in schema pgmq to odc_runtime';
            -- queues created later (pgmq.create) make tables owned by their creator
            execute 'alter default privileges in schema pgmq grant select, insert, update, delete on tables to odc_runtime';
            execute 'alter default privileges in schema pgmq grant usage, select, update on sequences to odc_runtime';
        end if;
    end if;
end
$$;
