-- Tenant moves: who reads a move and its per-table progress (a tenant's owners and admins), that only
-- service_role writes them, and the invariants the move engine relies on.
begin;
select plan(34);

-- Fixtures ------------------------------------------------------------------------------------------
update private.encryption_keys set status = 'decrypt_only' where status = 'active';
update private.data_sources set is_default = false where is_default;

insert into private.encryption_keys (id, status) values ('k-moves', 'active');
insert into private.data_sources (id, name, kind, secret_ciphertext, secret_nonce, secret_key_id)
values
  ('d1000000-0000-4000-8000-000000000001', 'dedicated-1', 'postgres', extensions.digest('moves ciphertext 1', 'sha512'),
   substring(extensions.digest('moves nonce 1', 'sha256') from 1 for 12), 'k-moves'),
  ('d1000000-0000-4000-8000-000000000002', 'dedicated-2', 'postgres', extensions.digest('moves ciphertext 2', 'sha512'),
   substring(extensions.digest('moves nonce 2', 'sha256') from 1 for 12), 'k-moves');
insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data)
values ('c0000000-0000-4000-8000-000000000002', 'authenticated', 'authenticated', 'zoë.admin@acme.test',
        '{"provider": "email", "providers": ["email"]}', '{"name": "Zoë Ådmin"}');
-- Three tenants of this test's own play acme, globex and initech, with the demo users in the same roles:
-- real moves of the demo tenants on a working database (one may be unfinished) neither block this test's
-- moves nor show among them.
insert into public.tenants (id, slug, name)
values ('c2000000-0000-4000-8000-000000000001', 'pgtap-moves-acme', 'Moves Acme'),
       ('c2000000-0000-4000-8000-000000000002', 'pgtap-moves-globex', 'Moves Globex'),
       ('c2000000-0000-4000-8000-000000000003', 'pgtap-moves-initech', 'Moves Initech');
insert into public.tenant_members (tenant_id, user_id, role)
values ('c2000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000001', 'owner'),
       ('c2000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000002', 'viewer'),
       ('c2000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000005', 'member'),
       ('c2000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002', 'admin'),
       ('c2000000-0000-4000-8000-000000000002', 'b0000000-0000-4000-8000-000000000003', 'owner'),
       ('c2000000-0000-4000-8000-000000000002', 'b0000000-0000-4000-8000-000000000005', 'member'),
       ('c2000000-0000-4000-8000-000000000003', 'b0000000-0000-4000-8000-000000000004', 'member');

\set alice   '{"sub": "b0000000-0000-4000-8000-000000000001", "role": "authenticated"}'
\set bob     '{"sub": "b0000000-0000-4000-8000-000000000002", "role": "authenticated"}'
\set grace   '{"sub": "b0000000-0000-4000-8000-000000000003", "role": "authenticated"}'
\set olivia  '{"sub": "b0000000-0000-4000-8000-000000000005", "role": "authenticated"}'
\set mallory '{"sub": "b0000000-0000-4000-8000-000000000006", "role": "authenticated"}'
\set zoe     '{"sub": "c0000000-0000-4000-8000-000000000002", "role": "authenticated"}'

-- service_role: the move engine ---------------------------------------------------------------------
set local role service_role;
select set_config('request.jwt.claims', '{"role": "service_role"}', true);

select results_eq(
  $$insert into public.tenant_moves (id, tenant_id, target_data_source_id)
    values ('e0000000-0000-4000-8000-000000000001', 'c2000000-0000-4000-8000-000000000001', 'd1000000-0000-4000-8000-000000000001')
    returning status, timings$$,
  $$values ('pending', '{}'::jsonb)$$,
  'service_role starts a move; it is pending with no timings');
select lives_ok(
  $$insert into public.tenant_move_tables (move_id, tenant_id, table_name, ordinal, rows_total)
    values ('e0000000-0000-4000-8000-000000000001', 'c2000000-0000-4000-8000-000000000001', 'public.accounts', 0, 10),
           ('e0000000-0000-4000-8000-000000000001', 'c2000000-0000-4000-8000-000000000001', 'public."count"', 1, 5)$$,
  'service_role records per-table progress (a quoted table name included)');
select lives_ok(
  $$insert into public.tenant_moves (id, tenant_id, source_data_source_id, status, started_at)
    values ('e0000000-0000-4000-8000-000000000002', 'c2000000-0000-4000-8000-000000000002', 'd1000000-0000-4000-8000-000000000002', 'copying', now())$$,
  'a move back to the default data source has a null target');
select throws_ok(
  $$insert into public.tenant_moves (tenant_id, target_data_source_id)
    values ('c2000000-0000-4000-8000-000000000001', 'd1000000-0000-4000-8000-000000000002')$$,
  '23505', 'duplicate key value violates unique constraint "tenant_moves_one_open_per_tenant_idx"',
  'a tenant has at most one unfinished move');
select throws_ok(
  $$insert into public.tenant_moves (tenant_id, source_data_source_id, target_data_source_id)
    values ('c2000000-0000-4000-8000-000000000003', 'd1000000-0000-4000-8000-000000000001', 'd1000000-0000-4000-8000-000000000001')$$,
  '23514', 'new row for relation "tenant_moves" violates check constraint "tenant_moves_source_differs_from_target"',
  'a move needs a target different from its source');
select throws_ok(
  $$insert into public.tenant_moves (tenant_id) values ('c2000000-0000-4000-8000-000000000003')$$,
  '23514', 'new row for relation "tenant_moves" violates check constraint "tenant_moves_source_differs_from_target"',
  'a move from the default data source to the default data source is refused');
select throws_ok(
  $$insert into public.tenant_moves (tenant_id, target_data_source_id)
    values ('c2000000-0000-4000-8000-000000000003', 'f0000000-0000-4000-8000-00000000dead')$$,
  '23503', 'insert or update on table "tenant_moves" violates foreign key constraint "tenant_moves_target_data_source_id_fkey"',
  'a move needs an existing target');
select throws_ok(
  $$update public.tenant_moves set status = 'teleporting' where id = 'e0000000-0000-4000-8000-000000000001'$$,
  '23514', 'new row for relation "tenant_moves" violates check constraint "tenant_moves_status_valid"',
  'an unknown move status is refused');
select throws_ok(
  $$update public.tenant_moves set status = 'failed' where id = 'e0000000-0000-4000-8000-000000000001'$$,
  '23514', 'new row for relation "tenant_moves" violates check constraint "tenant_moves_failed_has_error"',
  'a failed move says why');
select throws_ok(
  $$update public.tenant_moves set started_at = now(), finished_at = now() - interval '1 second'
    where id = 'e0000000-0000-4000-8000-000000000001'$$,
  '23514', 'new row for relation "tenant_moves" violates check constraint "tenant_moves_finished_after_started"',
  'a move cannot finish before it started');
select throws_ok(
  $$update public.tenant_moves set timings = '[1, 2]' where id = 'e0000000-0000-4000-8000-000000000001'$$,
  '23514', 'new row for relation "tenant_moves" violates check constraint "tenant_moves_timings_is_object"',
  'timings are a JSON object');
select throws_ok(
  $$insert into public.tenant_move_tables (move_id, tenant_id, table_name)
    values ('e0000000-0000-4000-8000-000000000001', 'c2000000-0000-4000-8000-000000000002', 'public.contacts')$$,
  '23503', 'insert or update on table "tenant_move_tables" violates foreign key constraint "tenant_move_tables_move_id_tenant_id_fkey"',
  'per-table rows belong to a move of the same tenant');
select throws_ok(
  $$update public.tenant_move_tables set rows_copied = -1 where table_name = 'public.accounts'$$,
  '23514', 'new row for relation "tenant_move_tables" violates check constraint "tenant_move_tables_rows_not_negative"',
  'row counts are not negative');
select throws_ok(
  $$update public.tenant_move_tables set status = 'done' where table_name = 'public.accounts'$$,
  '23514', 'new row for relation "tenant_move_tables" violates check constraint "tenant_move_tables_status_valid"',
  'an unknown table status is refused');
select throws_ok(
  $$insert into public.tenant_move_tables (move_id, tenant_id, table_name)
    values ('e0000000-0000-4000-8000-000000000001', 'c2000000-0000-4000-8000-000000000001', E'public.bad\nname')$$,
  '23514', 'new row for relation "tenant_move_tables" violates check constraint "tenant_move_tables_table_name_format"',
  'a table name with a control character is refused');
select throws_ok(
  $$delete from private.data_sources where id = 'd1000000-0000-4000-8000-000000000001'$$,
  '23503', 'update or delete on table "data_sources" violates foreign key constraint "tenant_moves_target_data_source_id_fkey" on table "tenant_moves"',
  'a data source with move history cannot be deleted (disable it instead)');
reset role;

-- Reading moves, per actor --------------------------------------------------------------------------
set local role anon;
select throws_ok($$select * from public.tenant_moves$$, '42501', 'permission denied for table tenant_moves',
  'anon cannot read moves');
select throws_ok($$select * from public.tenant_move_tables$$, '42501', 'permission denied for table tenant_move_tables',
  'anon cannot read move progress');
reset role;

set local role authenticated;
select set_config('request.jwt.claims', :'alice', true);
select results_eq($$select id::text from public.tenant_moves where id::text like 'e0000000-%'$$,
  array['e0000000-0000-4000-8000-000000000001'], 'acme''s owner sees acme''s move only');
select is_empty(
  $$select 1 from public.tenant_moves where tenant_id not in (select tenant_id from public.tenant_members
    where user_id = 'b0000000-0000-4000-8000-000000000001' and role in ('owner', 'admin'))$$,
  'acme''s owner sees no move of a tenant she does not own or administer');
select results_eq(
  $$select table_name from public.tenant_move_tables where move_id = 'e0000000-0000-4000-8000-000000000001' order by ordinal$$,
  array['public.accounts', 'public."count"'], 'acme''s owner sees the move''s per-table progress');
select throws_ok(
  $$insert into public.tenant_moves (tenant_id, target_data_source_id)
    values ('c2000000-0000-4000-8000-000000000003', 'd1000000-0000-4000-8000-000000000001')$$,
  '42501', 'permission denied for table tenant_moves', 'an owner cannot start a move through the API');
select throws_ok($$update public.tenant_moves set status = 'rolled_back'$$, '42501',
  'permission denied for table tenant_moves', 'an owner cannot change a move');
select throws_ok($$delete from public.tenant_move_tables$$, '42501',
  'permission denied for table tenant_move_tables', 'an owner cannot delete move progress');
reset role;

set local role authenticated;
select set_config('request.jwt.claims', :'zoe', true);
select results_eq($$select id::text from public.tenant_moves where id::text like 'e0000000-%'$$,
  array['e0000000-0000-4000-8000-000000000001'], 'acme''s admin sees acme''s move');
reset role;

set local role authenticated;
select set_config('request.jwt.claims', :'bob', true);
select is_empty($$select 1 from public.tenant_moves where id::text like 'e0000000-%'$$, 'a viewer sees no move');
select is_empty($$select 1 from public.tenant_move_tables where move_id::text like 'e0000000-%'$$,
  'a viewer sees no move progress');
reset role;

set local role authenticated;
select set_config('request.jwt.claims', :'olivia', true);
select is_empty($$select 1 from public.tenant_moves where id::text like 'e0000000-%'$$,
  'a member of acme and globex sees neither tenant''s moves');
reset role;

set local role authenticated;
select set_config('request.jwt.claims', :'grace', true);
select results_eq($$select id::text from public.tenant_moves where id::text like 'e0000000-%'$$,
  array['e0000000-0000-4000-8000-000000000002'], 'globex''s owner sees globex''s move, not acme''s');
select is_empty($$select 1 from public.tenant_move_tables where move_id::text like 'e0000000-%'$$,
  'globex''s owner sees none of acme''s move progress');
reset role;

set local role authenticated;
select set_config('request.jwt.claims', :'mallory', true);
select is_empty($$select 1 from public.tenant_moves$$, 'a stranger sees no move');
reset role;

-- Lifecycle -----------------------------------------------------------------------------------------
set local role service_role;
select lives_ok(
  $$update public.tenant_moves set status = 'rolled_back', started_at = now(), finished_at = now()
    where id = 'e0000000-0000-4000-8000-000000000001';
    insert into public.tenant_moves (id, tenant_id, target_data_source_id)
    values ('e0000000-0000-4000-8000-000000000003', 'c2000000-0000-4000-8000-000000000001', 'd1000000-0000-4000-8000-000000000002')$$,
  'once a move is rolled back the tenant can be moved again');
select results_eq($$delete from public.tenant_moves where id = 'e0000000-0000-4000-8000-000000000001' returning id::text$$,
  array['e0000000-0000-4000-8000-000000000001'], 'service_role deletes a finished move');
select is_empty($$select 1 from public.tenant_move_tables where move_id = 'e0000000-0000-4000-8000-000000000001'$$,
  'deleting a move deletes its per-table rows');
reset role;

select * from finish();
rollback;
