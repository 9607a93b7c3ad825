-- The audit log: an entry for every insert, update, delete and truncate on every table, with the actor
-- from the JWT and secrets replaced by fingerprints; tenant admins read their tenant's entries only;
-- nobody (owner, service_role, authenticated) can change or remove an entry.
begin;
select plan(50);

-- Fixtures ------------------------------------------------------------------------------------------
update private.encryption_keys set status = 'decrypt_only' where status = 'active';
update private.data_sources set is_default = false where is_default;

insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data)
values
  ('c0000000-0000-4000-8000-000000000002', 'authenticated', 'authenticated', 'zoë.admin@acme.test',
   '{"provider": "email", "providers": ["email"]}', '{"name": "Zoë Ådmin"}'),
  ('c0000000-0000-4000-8000-000000000003', 'authenticated', 'authenticated', 'noel.o''neil@example.test',
   '{"provider": "email", "providers": ["email"]}', '{"name": "Nöel \"Newbie\" O''Neil"}');
insert into public.tenant_members (tenant_id, user_id, role)
values ('a0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002', 'admin');

create temporary table fixture (name text primary key, value bytea not null);
insert into fixture values
  ('ct1', extensions.digest('audit ciphertext 1', 'sha512')),
  ('ct2', extensions.digest('audit ciphertext 2', 'sha512')),
  ('nonce1', substring(extensions.digest('audit nonce 1', 'sha256') from 1 for 12)),
  ('nonce2', substring(extensions.digest('audit nonce 2', 'sha256') from 1 for 12));
grant select on fixture to service_role;
-- pgTAP lives in `extensions`; let the auth server's role call it (rolled back with the test).
grant usage on schema extensions to supabase_auth_admin;

-- Entries written from here on are this test's.
create temporary table mark as select coalesce(max(id), 0) as id from public.audit_log;
grant select on mark to authenticated, service_role;

-- How a secret must appear in the log: its fingerprint, computed here independently.
create function pg_temp.fingerprint(p_name text) returns text language sql as $$
  select 'sha256:' || left(encode(extensions.digest(value, 'sha256'), 'hex'), 16) from fixture where name = p_name
$$;
-- Every textual form of a fixture value that must never appear in the log.
create function pg_temp.leaks(p_row jsonb, p_name text) returns boolean language sql as $$
  select position(encode(value, 'hex') in p_row::text) > 0
      or position(left(encode(value, 'hex'), 16) in p_row::text) > 0
      or position(replace(encode(value, 'base64'), E'\n', '') in p_row::text) > 0
      or position(left(replace(encode(value, 'base64'), E'\n', ''), 16) in p_row::text) > 0
  from fixture where name = p_name
$$;

\set operator '{"sub": "d0000000-0000-4000-8000-0000000000aa", "role": "service_role"}'
\set alice    '{"sub": "b0000000-0000-4000-8000-000000000001", "role": "authenticated"}'
\set bob      '{"sub": "b0000000-0000-4000-8000-000000000002", "role": "authenticated"}'
\set grace    '{"sub": "b0000000-0000-4000-8000-000000000003", "role": "authenticated"}'
\set olivia   '{"sub": "b0000000-0000-4000-8000-000000000005", "role": "authenticated"}'
\set mallory  '{"sub": "b0000000-0000-4000-8000-000000000006", "role": "authenticated"}'
\set zoe      '{"sub": "c0000000-0000-4000-8000-000000000002", "role": "authenticated"}'

-- service_role acting for an operator: every table, every kind of change ----------------------------
set local role service_role;
select set_config('request.jwt.claims', :'operator', true);

insert into private.encryption_keys (id, status) values ('k-audit', 'active');
update private.encryption_keys set fingerprint = 'a1b2c3d4' where id = 'k-audit';
insert into private.data_sources (name, kind, host, secret_ciphertext, secret_nonce, secret_key_id)
values ('ds-audit', 'postgres', 'db.example.com',
        (select value from fixture where name = 'ct1'), (select value from fixture where name = 'nonce1'), 'k-audit');
update private.data_sources
set secret_ciphertext = (select value from fixture where name = 'ct2'),
    secret_nonce = (select value from fixture where name = 'nonce2')
where name = 'ds-audit';
insert into public.tenants (id, slug, name)
values ('c1000000-0000-4000-8000-000000000002', 'audit-co', 'Audit "Co" — Ünïcødé ''s');
update public.tenants set status = 'suspended' where id = 'c1000000-0000-4000-8000-000000000002';
insert into public.tenant_members (tenant_id, user_id, role)
values ('c1000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000003', 'member');
insert into public.tenant_moves (id, tenant_id, target_data_source_id)
values ('e0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001',
        (select id from private.data_sources where name = 'ds-audit'));
update public.tenant_moves set status = 'copying', started_at = now() where id = 'e0000000-0000-4000-8000-000000000001';
insert into public.tenant_move_tables (move_id, tenant_id, table_name, rows_total)
values ('e0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', 'public."count"', 42);
update public.tenant_move_tables set rows_copied = 42, status = 'copied'
where move_id = 'e0000000-0000-4000-8000-000000000001';
delete from public.tenant_move_tables where move_id = 'e0000000-0000-4000-8000-000000000001';
delete from public.tenant_moves where id = 'e0000000-0000-4000-8000-000000000001';
delete from private.data_sources where name = 'ds-audit';
reset role;

select results_eq(
  $$select action, entity_id, tenant_id, actor_id::text, actor_role from public.audit_log
    where id > (select id from mark) and entity = 'private.encryption_keys' order by id$$,
  $$values ('insert', 'k-audit', null::uuid, 'd0000000-0000-4000-8000-0000000000aa', 'service_role'),
           ('update', 'k-audit', null::uuid, 'd0000000-0000-4000-8000-0000000000aa', 'service_role')$$,
  'key registration and change are audited with the operator as actor and no tenant');
select results_eq(
  $$select old ->> 'fingerprint', new ->> 'fingerprint' from public.audit_log
    where id > (select id from mark) and entity = 'private.encryption_keys' and action = 'update'$$,
  $$values (null::text, 'a1b2c3d4')$$,
  'the key update entry holds the old and new row');

select results_eq(
  $$select action from public.audit_log where id > (select id from mark) and entity = 'private.data_sources' order by id$$,
  array['insert', 'update', 'delete'], 'data source insert, update and delete are audited');
select is(
  (select new ->> 'secret_ciphertext' from public.audit_log
   where id > (select id from mark) and entity = 'private.data_sources' and action = 'insert'),
  pg_temp.fingerprint('ct1'), 'the insert entry shows the ciphertext''s fingerprint');
select is(
  (select new ->> 'secret_nonce' from public.audit_log
   where id > (select id from mark) and entity = 'private.data_sources' and action = 'insert'),
  pg_temp.fingerprint('nonce1'), 'the insert entry shows the nonce''s fingerprint');
select is(
  (select new ->> 'name' || ' ' || (new ->> 'secret_key_id') || ' ' || (new ->> 'host') from public.audit_log
   where id > (select id from mark) and entity = 'private.data_sources' and action = 'insert'),
  'ds-audit k-audit db.example.com', 'non-secret data source fields are kept as they are');
select ok(
  not (select pg_temp.leaks(to_jsonb(a), 'ct1') or pg_temp.leaks(to_jsonb(a), 'nonce1') from public.audit_log a
       where id > (select id from mark) and entity = 'private.data_sources' and action = 'insert'),
  'the insert entry contains neither the ciphertext nor the nonce, in hex or base64');
select results_eq(
  $$select old ->> 'secret_ciphertext', new ->> 'secret_ciphertext' from public.audit_log
    where id > (select id from mark) and entity = 'private.data_sources' and action = 'update'$$,
  format('values (%L, %L)', pg_temp.fingerprint('ct1'), pg_temp.fingerprint('ct2')),
  'a re-encryption shows as a change of fingerprint, old to new');
select ok(
  not (select pg_temp.leaks(to_jsonb(a), 'ct1') or pg_temp.leaks(to_jsonb(a), 'ct2')
           or pg_temp.leaks(to_jsonb(a), 'nonce1') or pg_temp.leaks(to_jsonb(a), 'nonce2')
       from public.audit_log a
       where id > (select id from mark) and entity = 'private.data_sources' and action = 'update'),
  'the update entry contains neither old nor new ciphertext or nonce');
select results_eq(
  $$select old ->> 'secret_ciphertext', new from public.audit_log
    where id > (select id from mark) and entity = 'private.data_sources' and action = 'delete'$$,
  format('values (%L, null::jsonb)', pg_temp.fingerprint('ct2')),
  'the delete entry shows the last fingerprint and no new row');
select is_empty(
  $$select 1 from public.audit_log a where entity = 'private.data_sources' and to_jsonb(a)::text like '%\\\\x%'$$,
  'no data source entry, ever, holds a bytea value');

select results_eq(
  $$select action, entity_id, tenant_id::text, old ->> 'status', new ->> 'status' from public.audit_log
    where id > (select id from mark) and entity = 'public.tenants' order by id$$,
  $$values ('insert', 'c1000000-0000-4000-8000-000000000002', 'c1000000-0000-4000-8000-000000000002', null, 'active'),
           ('update', 'c1000000-0000-4000-8000-000000000002', 'c1000000-0000-4000-8000-000000000002', 'active', 'suspended')$$,
  'tenant creation and suspension are audited under the tenant''s id');
select is(
  (select new ->> 'name' from public.audit_log
   where id > (select id from mark) and entity = 'public.tenants' and action = 'insert'),
  'Audit "Co" — Ünïcødé ''s', 'awkward tenant names are recorded intact');
select results_eq(
  $$select action, entity_id::jsonb, tenant_id::text, new ->> 'role' from public.audit_log
    where id > (select id from mark) and entity = 'public.tenant_members' order by id$$,
  $$values ('insert', '["c1000000-0000-4000-8000-000000000002", "c0000000-0000-4000-8000-000000000003"]'::jsonb,
            'c1000000-0000-4000-8000-000000000002', 'member')$$,
  'a membership is audited with its composite key as a JSON array');
select results_eq(
  $$select action, entity_id, tenant_id::text, new ->> 'status' from public.audit_log
    where id > (select id from mark) and entity = 'public.tenant_moves' order by id$$,
  $$values ('insert', 'e0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', 'pending'),
           ('update', 'e0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', 'copying'),
           ('delete', 'e0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', null)$$,
  'a move''s insert, phase change and delete are audited under its tenant');
select results_eq(
  $$select action, entity_id::jsonb, coalesce(new, old) ->> 'rows_copied' from public.audit_log
    where id > (select id from mark) and entity = 'public.tenant_move_tables' order by id$$,
  $$values ('insert', '["e0000000-0000-4000-8000-000000000001", "public.\"count\""]'::jsonb, '0'),
           ('update', '["e0000000-0000-4000-8000-000000000001", "public.\"count\""]'::jsonb, '42'),
           ('delete', '["e0000000-0000-4000-8000-000000000001", "public.\"count\""]'::jsonb, '42')$$,
  'per-table move progress is audited, quoted table names included');

-- Member changes and cascades -----------------------------------------------------------------------
set local role service_role;
select set_config('request.jwt.claims', :'operator', true);
update public.tenant_members set role = 'admin'
where tenant_id = 'c1000000-0000-4000-8000-000000000002' and user_id = 'c0000000-0000-4000-8000-000000000003';
delete from public.tenants where id = 'c1000000-0000-4000-8000-000000000002';
delete from private.encryption_keys where id = 'k-audit';
reset role;

select results_eq(
  $$select action, old ->> 'role', new ->> 'role' from public.audit_log
    where id > (select id from mark) and entity = 'public.tenant_members' and action <> 'insert' order by id$$,
  $$values ('update', 'member', 'admin'), ('delete', 'admin', null)$$,
  'a role change and the membership''s removal by cascade are audited');
select results_eq(
  $$select action from public.audit_log
    where id > (select id from mark) and entity = 'public.tenants' and action = 'delete'$$,
  array['delete'], 'a tenant''s deletion is audited');
select is(
  (select tenant_id::text from public.audit_log
   where id > (select id from mark) and entity = 'public.tenant_members' and action = 'delete'),
  'c1000000-0000-4000-8000-000000000002', 'the entries keep the tenant id after the tenant is gone');
select results_eq(
  $$select action, old ->> 'id' from public.audit_log
    where id > (select id from mark) and entity = 'private.encryption_keys' and action = 'delete'$$,
  $$values ('delete', 'k-audit')$$, 'a key''s removal from the registry is audited');

-- Actors --------------------------------------------------------------------------------------------
set local role authenticated;
select set_config('request.jwt.claims', :'alice', true);
update public.tenants set name = 'Acme — renamed by Alice' where slug = 'acme';
reset role;
select results_eq(
  $$select actor_id::text, actor_role, tenant_id::text, new ->> 'name' from public.audit_log
    where id > (select id from mark) and entity = 'public.tenants' and action = 'update'
      and tenant_id = 'a0000000-0000-4000-8000-000000000001'$$,
  $$values ('b0000000-0000-4000-8000-000000000001', 'authenticated', 'a0000000-0000-4000-8000-000000000001', 'Acme — renamed by Alice')$$,
  'a change through the API records the user from the JWT');

set local role authenticated;
select set_config('request.jwt.claims', :'zoe', true);
insert into public.tenant_members (tenant_id, user_id, role)
values ('a0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000003', 'viewer');
reset role;
select results_eq(
  $$select actor_id::text, entity_id::jsonb from public.audit_log
    where id > (select id from mark) and entity = 'public.tenant_members'
      and tenant_id = 'a0000000-0000-4000-8000-000000000001'$$,
  $$values ('c0000000-0000-4000-8000-000000000002',
            '["a0000000-0000-4000-8000-000000000001", "c0000000-0000-4000-8000-000000000003"]'::jsonb)$$,
  'an admin adding a member is recorded as the actor');

set local role service_role;
select set_config('request.jwt.claims', '{"sub": "operator-cli", "role": "service_role"}', true);
select lives_ok($$update public.tenants set name = 'Initech, Inc.' where slug = 'initech'$$,
  'a malformed sub claim does not block the change it describes');
reset role;
select results_eq(
  $$select actor_id, actor_role from public.audit_log
    where id > (select id from mark) and entity = 'public.tenants' and entity_id = 'a0000000-0000-4000-8000-000000000003'$$,
  $$values (null::uuid, 'service_role')$$,
  'a malformed sub is recorded as an unknown actor with its role');

select set_config('request.jwt.claims', '', true);
truncate public.tenant_move_tables;
select results_eq(
  $$select action, entity, entity_id, actor_id, actor_role from public.audit_log
    where id > (select id from mark) and action = 'truncate'$$,
  $$values ('truncate', 'public.tenant_move_tables', null::text, null::uuid, 'postgres')$$,
  'a TRUNCATE is audited, with the database role as actor when there is no JWT');

-- Who reads which entries ---------------------------------------------------------------------------
set local role anon;
select set_config('request.jwt.claims', '{"role": "anon"}', true);
select throws_ok($$select * from public.audit_log$$, '42501', 'permission denied for table audit_log',
  'anon cannot read the audit log');
reset role;

set local role authenticated;
select set_config('request.jwt.claims', :'alice', true);
select isnt_empty($$select 1 from public.audit_log where tenant_id = 'a0000000-0000-4000-8000-000000000001'$$,
  'acme''s owner reads acme''s entries');
select is_empty($$select 1 from public.audit_log where tenant_id is distinct from 'a0000000-0000-4000-8000-000000000001'$$,
  'acme''s owner reads no other tenant''s entries, nor data source or key entries');
reset role;

set local role authenticated;
select set_config('request.jwt.claims', :'zoe', true);
select isnt_empty($$select 1 from public.audit_log where entity = 'public.tenant_members'$$,
  'acme''s admin reads acme''s membership entries');
select is_empty($$select 1 from public.audit_log where tenant_id is distinct from 'a0000000-0000-4000-8000-000000000001'$$,
  'acme''s admin reads only acme''s entries');
reset role;

set local role authenticated;
select set_config('request.jwt.claims', :'bob', true);
select is_empty($$select 1 from public.audit_log$$, 'a viewer reads no audit entry');
reset role;

set local role authenticated;
select set_config('request.jwt.claims', :'olivia', true);
select is_empty($$select 1 from public.audit_log$$, 'a member of two tenants reads no audit entry');
reset role;

set local role authenticated;
select set_config('request.jwt.claims', :'grace', true);
select isnt_empty($$select 1 from public.audit_log where tenant_id = 'a0000000-0000-4000-8000-000000000002'$$,
  'globex''s owner reads globex''s entries');
select is_empty($$select 1 from public.audit_log where tenant_id is distinct from 'a0000000-0000-4000-8000-000000000002'$$,
  'globex''s owner reads nothing of acme');
reset role;

set local role authenticated;
select set_config('request.jwt.claims', :'mallory', true);
select is_empty($$select 1 from public.audit_log$$, 'a stranger reads no audit entry');
reset role;

set local role service_role;
select set_config('request.jwt.claims', :'operator', true);
select isnt_empty($$select 1 from public.audit_log where entity = 'private.data_sources'$$,
  'service_role reads every entry, data sources included');
reset role;

-- Nobody can change the past ------------------------------------------------------------------------
create temporary table audit_count as select count(*) as n from public.audit_log;

select throws_ok($$update public.audit_log set actor_role = 'nobody'$$, '42501',
  'audit_log is append-only: update is not allowed', 'the owner cannot update audit entries');
select throws_ok($$delete from public.audit_log$$, '42501',
  'audit_log is append-only: delete is not allowed', 'the owner cannot delete audit entries');
select throws_ok($$truncate public.audit_log$$, '42501',
  'audit_log is append-only: truncate is not allowed', 'the owner cannot truncate the audit log');
select throws_ok($$delete from public.audit_log where false$$, '42501',
  'audit_log is append-only: delete is not allowed', 'even a delete matching no row is refused');

set local role service_role;
select set_config('request.jwt.claims', :'operator', true);
select throws_ok($$update public.audit_log set old = null$$, '42501', 'permission denied for table audit_log',
  'service_role cannot update audit entries');
select throws_ok($$delete from public.audit_log$$, '42501', 'permission denied for table audit_log',
  'service_role cannot delete audit entries');
select throws_ok($$truncate public.audit_log$$, '42501', 'permission denied for table audit_log',
  'service_role cannot truncate the audit log');
select throws_ok(
  $$insert into public.audit_log (action, entity, new) values ('insert', 'public.tenants', '{}')$$,
  '42501', 'permission denied for table audit_log', 'service_role cannot forge audit entries');
reset role;

set local role authenticated;
select set_config('request.jwt.claims', :'alice', true);
select throws_ok(
  $$update public.audit_log set actor_id = null where tenant_id = 'a0000000-0000-4000-8000-000000000001'$$,
  '42501', 'permission denied for table audit_log', 'a tenant owner cannot update her tenant''s entries');
select throws_ok(
  $$delete from public.audit_log where tenant_id = 'a0000000-0000-4000-8000-000000000001'$$,
  '42501', 'permission denied for table audit_log', 'a tenant owner cannot delete her tenant''s entries');
select throws_ok($$truncate public.audit_log$$, '42501', 'permission denied for table audit_log',
  'authenticated cannot truncate the audit log');
select throws_ok(
  $$insert into public.audit_log (action, entity, new) values ('insert', 'public.tenants', '{}')$$,
  '42501', 'permission denied for table audit_log', 'authenticated cannot forge audit entries');
reset role;

set local role supabase_auth_admin;
select throws_ok($$select 1 from public.audit_log$$, '42501', 'permission denied for table audit_log',
  'the auth server cannot read the audit log');
reset role;

select is((select count(*) from public.audit_log), (select n from audit_count),
  'after every attempt the audit log is unchanged');

select * from finish();
rollback;
