-- The PostgREST settings of a data source (aggregates, EXPLAIN plans): off by default, turned on per
-- postgres data source by service_role only, refused for supabase data sources (their project decides),
-- out of reach of authenticated users.
begin;
select plan(9);

update private.encryption_keys set status = 'decrypt_only' where status = 'active';
insert into private.encryption_keys (id, status, fingerprint) values ('k-settings', 'active', '0123abcd');
create temporary table fixture (name text primary key, value bytea not null);
insert into fixture values
  ('ct1', extensions.digest('settings ciphertext 1', 'sha512')),
  ('ct2', extensions.digest('settings ciphertext 2', 'sha512')),
  ('nonce1', substring(extensions.digest('settings nonce 1', 'sha256') from 1 for 12)),
  ('nonce2', substring(extensions.digest('settings nonce 2', 'sha256') from 1 for 12));
grant select on fixture to service_role;

select col_default_is('private', 'data_sources', 'aggregates_enabled', 'false', 'aggregates are off by default');
select col_default_is('private', 'data_sources', 'plan_enabled', 'false', 'EXPLAIN plans are off by default');
select col_not_null('private', 'data_sources', 'aggregates_enabled', 'aggregates_enabled is required');
select col_not_null('private', 'data_sources', 'plan_enabled', 'plan_enabled is required');

set local role service_role;
select set_config('request.jwt.claims', '{"role": "service_role"}', true);
insert into private.data_sources (name, kind, host, secret_ciphertext, secret_nonce, secret_key_id)
values ('ds-settings', 'postgres', 'db.example.com',
        (select value from fixture where name = 'ct1'), (select value from fixture where name = 'nonce1'), 'k-settings');
insert into private.data_sources (name, kind, host, project_ref, secret_ciphertext, secret_nonce, secret_key_id)
values ('ds-settings-supabase', 'supabase', 'abcdefghijklmnopqrst.supabase.co', 'abcdefghijklmnopqrst',
        (select value from fixture where name = 'ct2'), (select value from fixture where name = 'nonce2'), 'k-settings');

select results_eq(
  $$update private.data_sources set aggregates_enabled = true, plan_enabled = true where name = 'ds-settings'
    returning aggregates_enabled, plan_enabled$$,
  $$values (true, true)$$, 'service_role turns both on for a postgres data source');
select throws_ok(
  $$update private.data_sources set aggregates_enabled = true where name = 'ds-settings-supabase'$$, '23514',
  'new row for relation "data_sources" violates check constraint "data_sources_api_settings_postgres_only"',
  'aggregates cannot be turned on for a supabase data source');
select throws_ok(
  $$update private.data_sources set plan_enabled = true where name = 'ds-settings-supabase'$$, '23514',
  'new row for relation "data_sources" violates check constraint "data_sources_api_settings_postgres_only"',
  'EXPLAIN plans cannot be turned on for a supabase data source');

reset role;
set local role authenticated;
select set_config('request.jwt.claims', '{"sub": "b0000000-0000-4000-8000-000000000001", "role": "authenticated"}', true);
select throws_ok($$update private.data_sources set aggregates_enabled = true$$, '42501',
  'permission denied for schema private', 'an authenticated user cannot turn aggregates on');
select throws_ok($$select aggregates_enabled, plan_enabled from private.data_sources$$, '42501',
  'permission denied for schema private', 'an authenticated user cannot read the settings');

select * from finish();
rollback;
