-- API keys remember the key that made them (a child never outlives its parent and dies with it)
-- and how they were obtained; users remember when the identity provider last stated their roles,
-- so roles carried by API keys lapse when the IdP has not confirmed them for a while.
alter table api_keys add column parent_id uuid references api_keys (id);
alter table api_keys add column origin text;
create index api_keys_parent_idx on api_keys (parent_id) where parent_id is not null;

alter table users add column roles_confirmed_at timestamptz;

-- 'system:<component>' names the platform in the audit log; no person may carry such a name.
-- NOT VALID: existing rows are left for an operator to look at, new and changed rows are checked.
alter table users add constraint users_username_not_reserved
    check (username !~ '^system(:|$)' and position(':' in username) = 0) not valid;
