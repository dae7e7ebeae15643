-- PGMQ: the message queues. Uses the real pgmq when the database has it (installed as the
-- extension, or by PGMQ's SQL-only install into schema pgmq), else CREATE EXTENSION pgmq when the
-- server offers it, and otherwise installs ODC's own implementation of PGMQ's documented SQL API
-- in schema pgmq: same function names, signatures, return columns and semantics. Java code talks
-- to either through dev.odc.database.pgmq.Pgmq and never knows which one it is.
--
-- ODC's implementation also notifies channel 'pgmq_' || queue_name on send, so consumers can
-- LISTEN and wake up at once (Pgmq.send notifies the same channel itself, for the real pgmq).
do $install$
begin
    if exists (select 1
               from pg_proc p
               join pg_namespace n on n.oid = p.pronamespace
               where n.nspname = 'pgmq' and p.proname = 'read') then
        raise notice 'pgmq is already installed; using it';
        return;
    end if;
    if exists (select 1 from pg_available_extensions where name = 'pgmq') then
        create extension if not exists pgmq;
        raise notice 'installed the pgmq extension';
        return;
    end if;
    raise notice 'pgmq is not available; installing ODC''s implementation of its SQL API';

    create schema if not exists pgmq;

    create type pgmq.message_record as (
        msg_id      bigint,
        read_ct     integer,
        enqueued_at timestamptz,
        vt          timestamptz,
        message     jsonb
    );

    create type pgmq.metrics_result as (
        queue_name         text,
        queue_length       bigint,
        newest_msg_age_sec integer,
        oldest_msg_age_sec integer,
        total_messages     bigint,
        scrape_time        timestamptz
    );

    create type pgmq.queue_record as (
        queue_name     varchar,
        is_partitioned boolean,
        is_unlogged    boolean,
        created_at     timestamptz
    );

    create table pgmq.meta (
        queue_name     varchar primary key,
        is_partitioned boolean     not null default false,
        is_unlogged    boolean     not null default false,
        created_at     timestamptz not null default now()
    );

    -- Queue names become parts of table names (q_<name>, a_<name>) and of the notify channel.
    execute $ddl$
    create function pgmq._validate_queue_name(queue_name text) returns void
        language plpgsql immutable
    as $fn$
    begin
        if queue_name is null or queue_name !~ '^[a-z_][a-z0-9_]{0,46}$' then
            raise exception 'invalid queue name %: use 1-47 lower-case letters, digits and _', queue_name
                using errcode = 'invalid_parameter_value';
        end if;
    end
    $fn$
    $ddl$;

    -- Fails with undefined_table when the queue does not exist, so a typo is an error, not an
    -- empty queue.
    execute $ddl$
    create function pgmq._queue_table(queue_name text) returns text
        language plpgsql stable
    as $fn$
    begin
        perform pgmq._validate_queue_name(queue_name);
        if not exists (select 1 from pgmq.meta m where m.queue_name = _queue_table.queue_name) then
            raise exception 'queue % does not exist', queue_name using errcode = 'undefined_table';
        end if;
        return format('pgmq.%I', 'q_' || queue_name);
    end
    $fn$
    $ddl$;

    execute $ddl$
    create function pgmq.create(queue_name text) returns void
        language plpgsql
    as $fn$
    begin
        perform pgmq._validate_queue_name(queue_name);
        execute format(
            'create table if not exists pgmq.%I (
                 msg_id      bigint primary key generated always as identity,
                 read_ct     integer     not null default 0,
                 enqueued_at timestamptz not null default now(),
                 vt          timestamptz not null,
                 message     jsonb)', 'q_' || queue_name);
        execute format('create index if not exists %I on pgmq.%I (vt asc)',
                       'q_' || queue_name || '_vt_idx', 'q_' || queue_name);
        execute format(
            'create table if not exists pgmq.%I (
                 msg_id      bigint primary key,
                 read_ct     integer     not null default 0,
                 enqueued_at timestamptz not null default now(),
                 archived_at timestamptz not null default now(),
                 vt          timestamptz not null,
                 message     jsonb)', 'a_' || queue_name);
        execute format('create index if not exists %I on pgmq.%I (archived_at)',
                       'archived_at_idx_' || queue_name, 'a_' || queue_name);
        insert into pgmq.meta (queue_name) values (queue_name) on conflict do nothing;
    end
    $fn$
    $ddl$;

    execute $ddl$
    create function pgmq.drop_queue(queue_name text) returns boolean
        language plpgsql
    as $fn$
    begin
        perform pgmq._validate_queue_name(queue_name);
        execute format('drop table if exists pgmq.%I', 'q_' || queue_name);
        execute format('drop table if exists pgmq.%I', 'a_' || queue_name);
        delete from pgmq.meta m where m.queue_name = drop_queue.queue_name;
        return found;
    end
    $fn$
    $ddl$;

    execute $ddl$
    create function pgmq.list_queues() returns setof pgmq.queue_record
        language sql stable
    as $fn$
        select m.queue_name, m.is_partitioned, m.is_unlogged, m.created_at
        from pgmq.meta m order by m.queue_name
    $fn$
    $ddl$;

    execute $ddl$
    create function pgmq.send(queue_name text, msg jsonb, delay integer default 0)
        returns setof bigint
        language plpgsql
    as $fn$
    begin
        if delay is null or delay < 0 then
            raise exception 'delay must be >= 0 seconds, was %', delay
                using errcode = 'invalid_parameter_value';
        end if;
        return query execute format(
            'insert into %s (vt, message) values (clock_timestamp() + make_interval(secs => $1), $2)
             returning msg_id', pgmq._queue_table(queue_name))
            using delay, msg;
        perform pg_notify('pgmq_' || queue_name, '');
    end
    $fn$
    $ddl$;

    execute $ddl$
    create function pgmq.send_batch(queue_name text, msgs jsonb[], delay integer default 0)
        returns setof bigint
        language plpgsql
    as $fn$
    begin
        if delay is null or delay < 0 then
            raise exception 'delay must be >= 0 seconds, was %', delay
                using errcode = 'invalid_parameter_value';
        end if;
        return query execute format(
            'insert into %s (vt, message)
             select clock_timestamp() + make_interval(secs => $1), m.msg
             from unnest($2) with ordinality as m(msg, ord)
             order by m.ord
             returning msg_id', pgmq._queue_table(queue_name))
            using delay, msgs;
        perform pg_notify('pgmq_' || queue_name, '');
    end
    $fn$
    $ddl$;

    -- Delivers up to qty visible messages, oldest first, and hides them for vt seconds. Rows
    -- another transaction is reading are skipped, so concurrent readers never get the same one.
    execute $ddl$
    create function pgmq.read(queue_name text, vt integer, qty integer)
        returns setof pgmq.message_record
        language plpgsql
    as $fn$
    begin
        if vt is null or vt < 0 then
            raise exception 'vt must be >= 0 seconds, was %', vt using errcode = 'invalid_parameter_value';
        end if;
        if qty is null or qty < 1 then
            raise exception 'qty must be >= 1, was %', qty using errcode = 'invalid_parameter_value';
        end if;
        return query execute format(
            'with picked as (
                 select q.msg_id from %1$s q
                 where q.vt <= clock_timestamp()
                 order by q.msg_id
                 limit $2
                 for update skip locked)
             update %1$s m
             set vt = clock_timestamp() + make_interval(secs => $1), read_ct = m.read_ct + 1
             from picked
             where m.msg_id = picked.msg_id
             returning m.msg_id, m.read_ct, m.enqueued_at, m.vt, m.message',
            pgmq._queue_table(queue_name))
            using vt, qty;
    end
    $fn$
    $ddl$;

    execute $ddl$
    create function pgmq.read_with_poll(queue_name text, vt integer, qty integer,
                                        max_poll_seconds integer default 5,
                                        poll_interval_ms integer default 100)
        returns setof pgmq.message_record
        language plpgsql
    as $fn$
    declare
        deadline timestamptz := clock_timestamp() + make_interval(secs => max_poll_seconds);
        got      integer;
    begin
        if poll_interval_ms is null or poll_interval_ms < 1 then
            raise exception 'poll_interval_ms must be >= 1, was %', poll_interval_ms
                using errcode = 'invalid_parameter_value';
        end if;
        loop
            return query select * from pgmq.read(queue_name, vt, qty);
            get diagnostics got = row_count;
            if got > 0 or clock_timestamp() >= deadline then
                return;
            end if;
            perform pg_sleep(poll_interval_ms / 1000.0);
        end loop;
    end
    $fn$
    $ddl$;

    -- Reads one message and deletes it at once: at-most-once delivery.
    execute $ddl$
    create function pgmq.pop(queue_name text) returns setof pgmq.message_record
        language plpgsql
    as $fn$
    begin
        return query execute format(
            'with picked as (
                 select q.msg_id from %1$s q
                 where q.vt <= clock_timestamp()
                 order by q.msg_id
                 limit 1
                 for update skip locked)
             delete from %1$s m
             using picked
             where m.msg_id = picked.msg_id
             returning m.msg_id, m.read_ct, m.enqueued_at, m.vt, m.message',
            pgmq._queue_table(queue_name));
    end
    $fn$
    $ddl$;

    -- Makes the message visible again vt seconds from now (0: at once). Returns the message,
    -- or nothing when it does not exist.
    execute $ddl$
    create function pgmq.set_vt(queue_name text, msg_id bigint, vt integer)
        returns setof pgmq.message_record
        language plpgsql
    as $fn$
    begin
        if vt is null or vt < 0 then
            raise exception 'vt must be >= 0 seconds, was %', vt using errcode = 'invalid_parameter_value';
        end if;
        return query execute format(
            'update %s m set vt = clock_timestamp() + make_interval(secs => $1)
             where m.msg_id = $2
             returning m.msg_id, m.read_ct, m.enqueued_at, m.vt, m.message',
            pgmq._queue_table(queue_name))
            using vt, msg_id;
    end
    $fn$
    $ddl$;

    execute $ddl$
    create function pgmq.delete(queue_name text, msg_id bigint) returns boolean
        language plpgsql
    as $fn$
    declare
        deleted bigint;
    begin
        execute format('delete from %s m where m.msg_id = $1 returning m.msg_id',
                       pgmq._queue_table(queue_name))
            into deleted using msg_id;
        return deleted is not null;
    end
    $fn$
    $ddl$;

    execute $ddl$
    create function pgmq.delete(queue_name text, msg_ids bigint[]) returns setof bigint
        language plpgsql
    as $fn$
    begin
        return query execute format(
            'delete from %s m where m.msg_id = any($1) returning m.msg_id',
            pgmq._queue_table(queue_name))
            using msg_ids;
    end
    $fn$
    $ddl$;

    -- Moves messages to the archive table a_<queue_name>, with the time of archiving.
    execute $ddl$
    create function pgmq.archive(queue_name text, msg_ids bigint[]) returns setof bigint
        language plpgsql
    as $fn$
    begin
        return query execute format(
            'with moved as (
                 delete from %s m where m.msg_id = any($1)
                 returning m.msg_id, m.read_ct, m.enqueued_at, m.vt, m.message)
             insert into pgmq.%I (msg_id, read_ct, enqueued_at, archived_at, vt, message)
             select msg_id, read_ct, enqueued_at, clock_timestamp(), vt, message from moved
             returning msg_id',
            pgmq._queue_table(queue_name), 'a_' || queue_name)
            using msg_ids;
    end
    $fn$
    $ddl$;

    execute $ddl$
    create function pgmq.archive(queue_name text, msg_id bigint) returns boolean
        language sql
    as $fn$
        select exists (select 1 from pgmq.archive(queue_name, array[msg_id]))
    $fn$
    $ddl$;

    execute $ddl$
    create function pgmq.purge_queue(queue_name text) returns bigint
        language plpgsql
    as $fn$
    declare
        purged bigint;
    begin
        execute format('with gone as (delete from %s returning 1) select count(*) from gone',
                       pgmq._queue_table(queue_name))
            into purged;
        return purged;
    end
    $fn$
    $ddl$;

    execute $ddl$
    create function pgmq.metrics(queue_name text) returns pgmq.metrics_result
        language plpgsql
    as $fn$
    declare
        result pgmq.metrics_result;
        sequence_name text;
        sent bigint;
    begin
        execute format(
            'select $1::text, count(*),
                    extract(epoch from (clock_timestamp() - max(enqueued_at)))::integer,
                    extract(epoch from (clock_timestamp() - min(enqueued_at)))::integer,
                    0::bigint, clock_timestamp()
             from %s', pgmq._queue_table(queue_name))
            into result using queue_name;
        -- every message ever sent drew one value of the msg_id sequence
        sequence_name := pg_get_serial_sequence(format('pgmq.%I', 'q_' || queue_name), 'msg_id');
        execute format('select case when is_called then last_value else 0 end from %s',
                       sequence_name)
            into sent;
        result.total_messages := sent;
        return result;
    end
    $fn$
    $ddl$;

    execute $ddl$
    create function pgmq.metrics_all() returns setof pgmq.metrics_result
        language plpgsql
    as $fn$
    declare
        q record;
    begin
        for q in select m.queue_name from pgmq.meta m order by m.queue_name loop
            return next pgmq.metrics(q.queue_name);
        end loop;
    end
    $fn$
    $ddl$;
end
$install$;
