-- The private schema: data sources and the key registry are unreachable for anon, authenticated (any
-- tenant role or none) and the auth server; service_role manages them; their CHECKs refuse plain text,
-- wrong nonces, a second default, a second active key; the key lifecycle and rotation order hold.
begin;
select plan(67);

-- Fixtures ------------------------------------------------------------------------------------------
-- The local stack may already have registered keys and data sources: step them aside for this test.
update private.encryption_keys set status = 'decrypt_only' where status = 'active';
update private.data_sources set is_default = false where is_default;

\set alice   '{"sub": "b0000000-0000-4000-8000-000000000001", "role": "authenticated"}'
\set mallory '{"sub": "b0000000-0000-4000-8000-000000000006", "role": "authenticated"}'

-- Deterministic "ciphertext" (64 bytes) and "nonces" (12 bytes): random-looking, not text.
create temporary table fixture (name text primary key, value bytea not null);
insert into fixture values
  ('ct1', extensions.digest('ciphertext fixture 1', 'sha512')),
  ('ct2', extensions.digest('ciphertext fixture 2', 'sha512')),
  ('nonce1', substring(extensions.digest('nonce fixture 1', 'sha256') from 1 for 12)),
  ('nonce2', substring(extensions.digest('nonce fixture 2', 'sha256') from 1 for 12)),
  ('nonce3', substring(extensions.digest('nonce fixture 3', 'sha256') from 1 for 12));
grant select on fixture to service_role;
-- pgTAP lives in `extensions`; let the auth server's role call it (rolled back with the test).
grant usage on schema extensions to supabase_auth_admin;

-- anon ----------------------------------------------------------------------------------------------
set local role anon;
select set_config('request.jwt.claims', '{"role": "anon"}', true);

select throws_ok($$select * from private.data_sources$$, '42501', 'permission denied for schema private',
  'anon cannot read data sources');
select throws_ok($$select * from private.encryption_keys$$, '42501', 'permission denied for schema private',
  'anon cannot read the key registry');
select throws_ok($$insert into private.encryption_keys (id, status) values ('k-anon', 'active')$$, '42501',
  'permission denied for schema private', 'anon cannot register keys');
select throws_ok($$select private.is_member('a0000000-0000-4000-8000-000000000001')$$, '42501',
  'permission denied for schema private', 'anon cannot call the RLS helpers directly');
reset role;

-- alice: acme owner (the most privileged tenant role) -----------------------------------------------
set local role authenticated;
select set_config('request.jwt.claims', :'alice', true);

select throws_ok($$select * from private.data_sources$$, '42501', 'permission denied for schema private',
  'a tenant owner cannot read data sources');
select throws_ok($$select count(*) from private.encryption_keys$$, '42501', 'permission denied for schema private',
  'a tenant owner cannot read the key registry');
select throws_ok($$update private.data_sources set pool_max = 1$$, '42501', 'permission denied for schema private',
  'a tenant owner cannot change data sources');
select throws_ok($$delete from private.encryption_keys$$, '42501', 'permission denied for schema private',
  'a tenant owner cannot delete keys');
select throws_ok($$select private.has_tenant_role('a0000000-0000-4000-8000-000000000001', array['owner'])$$, '42501',
  'permission denied for schema private', 'authenticated cannot call the RLS helpers directly');
reset role;

-- mallory: no membership ----------------------------------------------------------------------------
set local role authenticated;
select set_config('request.jwt.claims', :'mallory', true);

select throws_ok($$select * from private.data_sources$$, '42501', 'permission denied for schema private',
  'a stranger cannot read data sources');
select throws_ok($$insert into private.encryption_keys (id, status) values ('k-evil', 'active')$$, '42501',
  'permission denied for schema private', 'a stranger cannot register keys');
reset role;

-- the auth server -----------------------------------------------------------------------------------
set local role supabase_auth_admin;
select throws_ok($$select * from private.data_sources$$, '42501', 'permission denied for schema private',
  'the auth server (hook role) cannot read data sources');
reset role;

-- service_role: manages keys and data sources -------------------------------------------------------
set local role service_role;
select set_config('request.jwt.claims', '{"role": "service_role"}', true);

select lives_ok($$insert into private.encryption_keys (id, status, fingerprint) values ('k-test-1', 'active', '0123abcd')$$,
  'service_role registers an active key');
select ok((select activated_at is not null and retired_at is null from private.encryption_keys where id = 'k-test-1'),
  'activation is stamped by the registry');
select lives_ok(
  $$insert into private.data_sources
      (name, kind, is_default, host, port, database_name, secret_ciphertext, secret_nonce, secret_key_id)
    values ('ds-test-1', 'postgres', true, 'db.example.com', 5432, 'tënant_shäred',
            (select value from fixture where name = 'ct1'), (select value from fixture where name = 'nonce1'), 'k-test-1')$$,
  'service_role registers a default postgres data source (unicode database name)');
select results_eq($$select pool_max, status from private.data_sources where name = 'ds-test-1'$$,
  $$values (10, 'active')$$, 'a new data source gets pool_max 10 and status active');
select results_eq($$update private.data_sources set pool_max = 20 where name = 'ds-test-1' returning pool_max$$,
  array[20], 'service_role changes a data source');
select lives_ok(
  $$insert into private.data_sources (name, kind, host, project_ref, secret_ciphertext, secret_nonce, secret_key_id)
    values ('supabase-eu', 'supabase', 'abcdefghijklmnopqrst.supabase.co', 'abcdefghijklmnopqrst',
            (select value from fixture where name = 'ct2'), (select value from fixture where name = 'nonce2'), 'k-test-1')$$,
  'service_role registers a supabase data source');
select results_eq($$delete from private.data_sources where name = 'supabase-eu' returning kind$$,
  array['supabase'], 'service_role deletes an unused data source');

-- Secrets: shape of ciphertext and nonce --------------------------------------------------------------
-- Each insert differs from a valid one in the secret only.
select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('bad', 'postgres', (select value from fixture where name = 'ct2'), '\x0102030405060708090a0b'::bytea, 'k-test-1')$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_secret_nonce_length"',
  'an 11-byte nonce is refused');
select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('bad', 'postgres', (select value from fixture where name = 'ct2'), '\x0102030405060708090a0b0c0d'::bytea, 'k-test-1')$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_secret_nonce_length"',
  'a 13-byte nonce is refused');
select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('bad', 'postgres', (select value from fixture where name = 'ct2'), '\x000000000000000000000000'::bytea, 'k-test-1')$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_secret_nonce_not_zero"',
  'an all-zero nonce is refused');
select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('bad', 'postgres', substring((select value from fixture where name = 'ct2') from 1 for 16),
            (select value from fixture where name = 'nonce2'), 'k-test-1')$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_secret_ciphertext_length"',
  'a ciphertext shorter than a GCM tag plus one byte is refused');

select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('bad', 'postgres', 'postgresql://app:s3cr3t@db.example.com:5432/app', (select value from fixture where name = 'nonce2'), 'k-test-1')$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_secret_ciphertext_not_plaintext"',
  'a postgresql:// connection string stored as ciphertext is refused');
select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('bad', 'postgres', convert_to('postgres://app:pässwörd@db.example.com/app', 'UTF8'), (select value from fixture where name = 'nonce2'), 'k-test-1')$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_secret_ciphertext_not_plaintext"',
  'a postgres:// connection string with a non-ASCII password is refused');
select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('bad', 'supabase', 'https://abcdefghijklmnopqrst.supabase.co', (select value from fixture where name = 'nonce2'), 'k-test-1')$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_secret_ciphertext_not_plaintext"',
  'a project URL stored as ciphertext is refused');
select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('bad', 'postgres', convert_to('{"url": "postgresql://app:ünïcødé@db/app"}', 'UTF8'), (select value from fixture where name = 'nonce2'), 'k-test-1')$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_secret_ciphertext_not_plaintext"',
  'the plain-text credentials JSON (non-ASCII) is refused');
select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('bad', 'supabase', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJl', (select value from fixture where name = 'nonce2'), 'k-test-1')$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_secret_ciphertext_not_plaintext"',
  'a service-role JWT stored as ciphertext is refused');
select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('bad', 'supabase', 'sb_secret_0123456789abcdefghijklmnop', (select value from fixture where name = 'nonce2'), 'k-test-1')$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_secret_ciphertext_not_plaintext"',
  'a Supabase secret API key stored as ciphertext is refused');
select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('bad', 'postgres', 'q83vEjRWeJA+/wAB:3q2+7wABAgMEBQYHCAkKCw==:AAECAwQFBgcICQoLDA0ODxAREhMUFRYX', (select value from fixture where name = 'nonce2'), 'k-test-1')$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_secret_ciphertext_not_text"',
  'a legacy iv:authTag:ciphertext string stored as bytes is refused');
select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('bad', 'postgres', convert_to(encode((select value from fixture where name = 'ct2'), 'base64'), 'UTF8'), (select value from fixture where name = 'nonce2'), 'k-test-1')$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_secret_ciphertext_not_text"',
  'a base64-encoded ciphertext stored as text bytes is refused');
select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('bad', 'postgres', convert_to(encode((select value from fixture where name = 'ct2'), 'hex'), 'UTF8'), (select value from fixture where name = 'nonce2'), 'k-test-1')$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_secret_ciphertext_not_text"',
  'a hex-encoded ciphertext stored as text bytes is refused');
select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('bad', 'postgres', (select value from fixture where name = 'ct1'), (select value from fixture where name = 'nonce1'), 'k-test-1')$$,
  '23505', 'duplicate key value violates unique constraint "data_sources_key_nonce_idx"',
  'a nonce is never reused under one key (nor a ciphertext copied with its nonce)');

-- Data sources: names, defaults, display fields --------------------------------------------------------
select throws_ok(
  $$insert into private.data_sources (name, kind, is_default, secret_ciphertext, secret_nonce, secret_key_id)
    values ('ds-test-2', 'postgres', true, (select value from fixture where name = 'ct2'), (select value from fixture where name = 'nonce2'), 'k-test-1')$$,
  '23505', 'duplicate key value violates unique constraint "data_sources_one_default_idx"',
  'a second default data source is refused');
select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('ds-test-1', 'postgres', (select value from fixture where name = 'ct2'), (select value from fixture where name = 'nonce2'), 'k-test-1')$$,
  '23505', 'duplicate key value violates unique constraint "data_sources_name_key"',
  'data source names are unique');
select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('Tenant Shared', 'postgres', (select value from fixture where name = 'ct2'), (select value from fixture where name = 'nonce2'), 'k-test-1')$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_name_format"',
  'a name with capitals and a space is refused');
select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('shared-', 'postgres', (select value from fixture where name = 'ct2'), (select value from fixture where name = 'nonce2'), 'k-test-1')$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_name_format"',
  'a name ending in a separator is refused');
select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('default', 'postgres', (select value from fixture where name = 'ct2'), (select value from fixture where name = 'nonce2'), 'k-test-1')$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_name_not_reserved"',
  'the CLI''s keyword "default" is not a data source name');
select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('a0000000-0000-4000-8000-000000000009', 'postgres', (select value from fixture where name = 'ct2'), (select value from fixture where name = 'nonce2'), 'k-test-1')$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_name_not_reserved"',
  'a uuid-shaped name is refused');
select throws_ok(
  $$insert into private.data_sources (name, kind, pool_max, secret_ciphertext, secret_nonce, secret_key_id)
    values ('ds-test-2', 'postgres', 0, (select value from fixture where name = 'ct2'), (select value from fixture where name = 'nonce2'), 'k-test-1')$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_pool_max_range"',
  'pool_max 0 is refused');
select throws_ok(
  $$update private.data_sources set pool_max = 101 where name = 'ds-test-1'$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_pool_max_range"',
  'pool_max 101 is refused');
select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('ds-test-2', 'mysql', (select value from fixture where name = 'ct2'), (select value from fixture where name = 'nonce2'), 'k-test-1')$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_kind_valid"',
  'an unknown kind is refused');
select throws_ok(
  $$update private.data_sources set status = 'paused' where name = 'ds-test-1'$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_status_valid"',
  'an unknown status is refused');
select throws_ok(
  $$update private.data_sources set status = 'disabled' where name = 'ds-test-1'$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_default_not_disabled"',
  'the default data source cannot be disabled');
select throws_ok(
  $$update private.data_sources set host = 'app:s3cr3t@db.example.com' where name = 'ds-test-1'$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_host_format"',
  'a host holding credentials is refused');
select throws_ok(
  $$update private.data_sources set project_ref = 'abcdefghijklmnopqrst' where name = 'ds-test-1'$$,
  '23514', 'new row for relation "data_sources" violates check constraint "data_sources_project_ref_only_for_supabase"',
  'a postgres data source has no project ref');

-- Keys: the registry ----------------------------------------------------------------------------------
select throws_ok($$insert into private.encryption_keys (id, status) values ('k-test-2', 'active')$$,
  '23505', 'duplicate key value violates unique constraint "encryption_keys_one_active_idx"',
  'a second active key is refused');
select throws_ok(
  $$insert into private.encryption_keys (id, status)
    values ('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'decrypt_only')$$,
  '23514', 'new row for relation "encryption_keys" violates check constraint "encryption_keys_id_format"',
  'a 64-hex key cannot be stored as a key id');
select throws_ok($$insert into private.encryption_keys (id, status) values ('K 1', 'decrypt_only')$$,
  '23514', 'new row for relation "encryption_keys" violates check constraint "encryption_keys_id_format"',
  'a key id with capitals and a space is refused');
select throws_ok(
  $$insert into private.encryption_keys (id, status, fingerprint)
    values ('k-test-2', 'decrypt_only', '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff')$$,
  '23514', 'new row for relation "encryption_keys" violates check constraint "encryption_keys_fingerprint_format"',
  'a 64-hex value cannot be stored as a fingerprint');
select throws_ok($$insert into private.encryption_keys (id, status) values ('k-test-2', 'pending')$$,
  '23514', 'new row for relation "encryption_keys" violates check constraint "encryption_keys_status_valid"',
  'an unknown key status is refused');

-- Keys: rotation in the documented order ---------------------------------------------------------------
select lives_ok($$insert into private.encryption_keys (id, status) values ('k-test-2', 'decrypt_only')$$,
  'a new key is registered as decrypt_only first');
select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('ds-test-2', 'postgres', (select value from fixture where name = 'ct2'), (select value from fixture where name = 'nonce2'), 'k-test-2')$$,
  '23514', 'Data source secrets must be encrypted with the active key, not k-test-2',
  'new ciphertext under a key that is not active is refused');
select throws_ok(
  $$insert into private.data_sources (name, kind, secret_ciphertext, secret_nonce, secret_key_id)
    values ('ds-test-2', 'postgres', (select value from fixture where name = 'ct2'), (select value from fixture where name = 'nonce2'), 'k-unknown')$$,
  '23514', 'Data source secrets must be encrypted with the active key, not k-unknown',
  'new ciphertext under an unknown key is refused');
select lives_ok(
  $$update private.encryption_keys set status = 'decrypt_only' where id = 'k-test-1';
    update private.encryption_keys set status = 'active' where id = 'k-test-2'$$,
  'the active key is switched by demoting the old one, then promoting the new one');
select results_eq($$update private.data_sources set pool_max = 30 where name = 'ds-test-1' returning pool_max$$,
  array[30], 'a data source still under the old key can change other fields during rotation');
select throws_ok($$update private.encryption_keys set status = 'retired' where id = 'k-test-1'$$,
  '23514', 'Encryption key k-test-1 still encrypts data source secrets',
  'a key cannot be retired while a secret uses it');
select lives_ok(
  $$update private.data_sources
    set secret_ciphertext = (select value from fixture where name = 'ct2'),
        secret_nonce = (select value from fixture where name = 'nonce3'),
        secret_key_id = 'k-test-2'
    where name = 'ds-test-1'$$,
  'the secret is re-encrypted under the active key');
select results_eq(
  $$update private.encryption_keys set status = 'retired' where id = 'k-test-1' returning status, retired_at is not null$$,
  $$values ('retired', true)$$, 'the old key is retired once unused, and the retirement is stamped');
select throws_ok($$update private.encryption_keys set status = 'active' where id = 'k-test-1'$$,
  '23514', 'Encryption key k-test-1 is retired and cannot be used again',
  'a retired key cannot be revived');
select throws_ok($$delete from private.encryption_keys where id = 'k-test-2'$$,
  '23503', 'update or delete on table "encryption_keys" violates foreign key constraint "data_sources_secret_key_id_fkey" on table "data_sources"',
  'a key in use cannot be deleted');
select results_eq($$delete from private.encryption_keys where id = 'k-test-1' returning id$$,
  array['k-test-1'], 'a retired, unused key can be deleted from the registry');
reset role;

-- Routing integrity ---------------------------------------------------------------------------------
set local role service_role;
select results_eq(
  $$update public.tenants set data_source_id = (select id from private.data_sources where name = 'ds-test-1')
    where slug = 'acme' returning slug$$,
  array['acme'], 'service_role routes a tenant to a data source');
select throws_ok($$delete from private.data_sources where name = 'ds-test-1'$$,
  '23503', 'update or delete on table "data_sources" violates foreign key constraint "tenants_data_source_id_fkey" on table "tenants"',
  'a data source that tenants use cannot be deleted');
select throws_ok(
  $$update public.tenants set data_source_id = 'd0000000-0000-4000-8000-00000000dead' where slug = 'globex'$$,
  '23503', 'insert or update on table "tenants" violates foreign key constraint "tenants_data_source_id_fkey"',
  'a tenant cannot be routed to an unknown data source');
select results_eq($$update public.tenants set data_source_id = null where slug = 'acme' returning data_source_id$$,
  array[null::uuid], 'routing back to the default data source is setting null');
reset role;

-- Authenticated users see the routing column of their tenant, never what it points to.
set local role authenticated;
select set_config('request.jwt.claims', :'alice', true);
select throws_ok(
  $$select t.slug, d.name from public.tenants t join private.data_sources d on d.id = t.data_source_id$$,
  '42501', 'permission denied for schema private', 'a tenant owner cannot join her tenant to its data source');
reset role;

select * from finish();
rollback;
