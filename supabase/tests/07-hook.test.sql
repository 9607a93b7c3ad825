-- public.custom_access_token_hook, called as Supabase Auth calls it (role supabase_auth_admin):
-- one membership → that tenant; several → raw_app_meta_data.default_tenant (uuid or slug) if it is one
-- of them; otherwise no tenant claims. Other claims pass through untouched. Nobody else may call it.
begin;
select plan(29);

-- Fixtures ------------------------------------------------------------------------------------------
-- pgTAP lives in `extensions`; let the auth server's role call it (rolled back with the test).
grant usage on schema extensions to supabase_auth_admin;

-- The event Supabase Auth sends (claims abridged to the ones that matter here).
create function pg_temp.event(p_user_id uuid) returns jsonb language sql as $$
  select jsonb_build_object(
    'user_id', p_user_id,
    'claims', jsonb_build_object(
      'aud', 'authenticated', 'sub', p_user_id, 'role', 'authenticated', 'aal', 'aal1',
      'email', 'someone@example.test', 'session_id', '7f0c1a2e-0000-4000-8000-000000000000',
      'app_metadata', jsonb_build_object('provider', 'email'),
      'user_metadata', jsonb_build_object('name', 'Zoë "Q" O''Neil ✓')),
    'authentication_method', 'password')
$$;

-- the auth server -----------------------------------------------------------------------------------
set local role supabase_auth_admin;

select results_eq(
  $$select c ->> 'tenant_id', c ->> 'tenant_role'
    from (select public.custom_access_token_hook(pg_temp.event('b0000000-0000-4000-8000-000000000001')) -> 'claims' as c) x$$,
  $$values ('a0000000-0000-4000-8000-000000000001', 'owner')$$,
  'alice (one membership) gets acme as owner');
select results_eq(
  $$select c ->> 'tenant_id', c ->> 'tenant_role'
    from (select public.custom_access_token_hook(pg_temp.event('b0000000-0000-4000-8000-000000000002')) -> 'claims' as c) x$$,
  $$values ('a0000000-0000-4000-8000-000000000001', 'viewer')$$,
  'bob (one membership) gets acme as viewer');
select results_eq(
  $$select c ->> 'tenant_id', c ->> 'tenant_role'
    from (select public.custom_access_token_hook(pg_temp.event('b0000000-0000-4000-8000-000000000003')) -> 'claims' as c) x$$,
  $$values ('a0000000-0000-4000-8000-000000000002', 'owner')$$,
  'grace gets globex as owner');
select results_eq(
  $$select c ->> 'tenant_id', c ->> 'tenant_role'
    from (select public.custom_access_token_hook(pg_temp.event('b0000000-0000-4000-8000-000000000004')) -> 'claims' as c) x$$,
  $$values ('a0000000-0000-4000-8000-000000000003', 'member')$$,
  'ivan gets initech as member');
select is(
  public.custom_access_token_hook(pg_temp.event('b0000000-0000-4000-8000-000000000001')) - 'claims',
  pg_temp.event('b0000000-0000-4000-8000-000000000001') - 'claims',
  'the rest of the event is returned unchanged');
select is(
  (public.custom_access_token_hook(pg_temp.event('b0000000-0000-4000-8000-000000000001')) -> 'claims') - 'tenant_id' - 'tenant_role',
  pg_temp.event('b0000000-0000-4000-8000-000000000001') -> 'claims',
  'existing claims (unicode user metadata included) are kept as they are');

-- Several memberships: olivia (acme member, globex member).
select is(
  public.custom_access_token_hook(pg_temp.event('b0000000-0000-4000-8000-000000000005')),
  pg_temp.event('b0000000-0000-4000-8000-000000000005'),
  'olivia (two memberships, no default_tenant) gets no tenant claims and an unchanged event');
reset role;

update auth.users set raw_app_meta_data = raw_app_meta_data || '{"default_tenant": "globex"}'
where id = 'b0000000-0000-4000-8000-000000000005';
set local role supabase_auth_admin;
select results_eq(
  $$select c ->> 'tenant_id', c ->> 'tenant_role'
    from (select public.custom_access_token_hook(pg_temp.event('b0000000-0000-4000-8000-000000000005')) -> 'claims' as c) x$$,
  $$values ('a0000000-0000-4000-8000-000000000002', 'member')$$,
  'a default_tenant slug among the memberships chooses that tenant');
reset role;

update auth.users set raw_app_meta_data = raw_app_meta_data || '{"default_tenant": "a0000000-0000-4000-8000-000000000001"}'
where id = 'b0000000-0000-4000-8000-000000000005';
set local role supabase_auth_admin;
select results_eq(
  $$select c ->> 'tenant_id', c ->> 'tenant_role'
    from (select public.custom_access_token_hook(pg_temp.event('b0000000-0000-4000-8000-000000000005')) -> 'claims' as c) x$$,
  $$values ('a0000000-0000-4000-8000-000000000001', 'member')$$,
  'a default_tenant uuid among the memberships chooses that tenant');
reset role;

update auth.users set raw_app_meta_data = raw_app_meta_data || '{"default_tenant": " GLOBEX "}'
where id = 'b0000000-0000-4000-8000-000000000005';
set local role supabase_auth_admin;
select is(
  public.custom_access_token_hook(pg_temp.event('b0000000-0000-4000-8000-000000000005')) -> 'claims' ->> 'tenant_id',
  'a0000000-0000-4000-8000-000000000002',
  'default_tenant is matched regardless of case and surrounding spaces');
reset role;

update auth.users set raw_app_meta_data = raw_app_meta_data || '{"default_tenant": "A0000000-0000-4000-8000-000000000002"}'
where id = 'b0000000-0000-4000-8000-000000000005';
set local role supabase_auth_admin;
select is(
  public.custom_access_token_hook(pg_temp.event('b0000000-0000-4000-8000-000000000005')) -> 'claims' ->> 'tenant_id',
  'a0000000-0000-4000-8000-000000000002',
  'a default_tenant uuid in capitals is matched');
reset role;

update auth.users set raw_app_meta_data = raw_app_meta_data || '{"default_tenant": "initech"}'
where id = 'b0000000-0000-4000-8000-000000000005';
set local role supabase_auth_admin;
select is(
  public.custom_access_token_hook(pg_temp.event('b0000000-0000-4000-8000-000000000005')) -> 'claims',
  pg_temp.event('b0000000-0000-4000-8000-000000000005') -> 'claims',
  'a default_tenant the user does not belong to gives no tenant claims');
reset role;

update auth.users set raw_app_meta_data = raw_app_meta_data || '{"default_tenant": "a0000000-0000-4000-8000-000000000003"}'
where id = 'b0000000-0000-4000-8000-000000000005';
set local role supabase_auth_admin;
select ok(
  not (public.custom_access_token_hook(pg_temp.event('b0000000-0000-4000-8000-000000000005')) -> 'claims' ? 'tenant_id'),
  'the uuid of a tenant the user does not belong to gives no tenant claim');
reset role;

update auth.users set raw_app_meta_data = raw_app_meta_data || '{"default_tenant": "nö such tenant; drop table x"}'
where id = 'b0000000-0000-4000-8000-000000000005';
set local role supabase_auth_admin;
select ok(
  not (public.custom_access_token_hook(pg_temp.event('b0000000-0000-4000-8000-000000000005')) -> 'claims' ? 'tenant_role'),
  'a default_tenant naming no tenant gives no tenant claims');
reset role;

update auth.users set raw_app_meta_data = raw_app_meta_data || '{"default_tenant": "globex"}'
where id = 'b0000000-0000-4000-8000-000000000001';
set local role supabase_auth_admin;
select is(
  public.custom_access_token_hook(pg_temp.event('b0000000-0000-4000-8000-000000000001')) -> 'claims' ->> 'tenant_id',
  'a0000000-0000-4000-8000-000000000001',
  'with one membership default_tenant is irrelevant: alice still gets acme');

-- No membership: mallory.
select is(
  public.custom_access_token_hook(pg_temp.event('b0000000-0000-4000-8000-000000000006')),
  pg_temp.event('b0000000-0000-4000-8000-000000000006'),
  'mallory (no membership) gets no tenant claims and an unchanged event');
select ok(
  not (public.custom_access_token_hook(
         jsonb_set(pg_temp.event('b0000000-0000-4000-8000-000000000006'), '{claims,tenant_id}',
                   '"a0000000-0000-4000-8000-000000000001"')) -> 'claims' ? 'tenant_id'),
  'a tenant_id claim already in the event is removed when the user has no tenant');
select is(
  public.custom_access_token_hook(
    jsonb_set(jsonb_set(pg_temp.event('b0000000-0000-4000-8000-000000000004'), '{claims,tenant_id}',
                        '"a0000000-0000-4000-8000-000000000001"'), '{claims,tenant_role}', '"owner"'))
    -> 'claims' ->> 'tenant_role',
  'member',
  'forged tenant claims in the event are replaced by the real ones');
select results_eq(
  $$select c ->> 'tenant_id', c ->> 'tenant_role'
    from (select public.custom_access_token_hook('{"user_id": "b0000000-0000-4000-8000-000000000003"}') -> 'claims' as c) x$$,
  $$values ('a0000000-0000-4000-8000-000000000002', 'owner')$$,
  'an event without claims gets a claims object with the tenant');
reset role;

-- Changes take effect at the next token -------------------------------------------------------------
delete from public.tenant_members
where tenant_id = 'a0000000-0000-4000-8000-000000000002' and user_id = 'b0000000-0000-4000-8000-000000000005';
update public.tenants set status = 'suspended' where slug = 'acme';
set local role supabase_auth_admin;
select results_eq(
  $$select c ->> 'tenant_id', c ->> 'tenant_role'
    from (select public.custom_access_token_hook(pg_temp.event('b0000000-0000-4000-8000-000000000005')) -> 'claims' as c) x$$,
  $$values ('a0000000-0000-4000-8000-000000000001', 'member')$$,
  'after leaving globex olivia has one membership, so acme (status is the gateway''s business)');
reset role;

update public.tenant_members set role = 'admin'
where tenant_id = 'a0000000-0000-4000-8000-000000000001' and user_id = 'b0000000-0000-4000-8000-000000000002';
set local role supabase_auth_admin;
select is(
  public.custom_access_token_hook(pg_temp.event('b0000000-0000-4000-8000-000000000002')) -> 'claims' ->> 'tenant_role',
  'admin',
  'a role change shows in the next token');

-- What the auth server may read -----------------------------------------------------------------------
reset role;
-- Every membership there is (a working database has more than the seed's), counted as superuser.
select count(*) as memberships from public.tenant_members \gset
set local role supabase_auth_admin;
select is((select count(*)::int from public.tenant_members), :memberships,
  'the auth server reads every membership (its policy)');
select is((select count(*)::int from public.tenants where slug in ('acme', 'globex', 'initech')), 3,
  'the auth server reads every tenant (its policy)');
select throws_ok($$update public.tenant_members set role = 'owner'$$, '42501',
  'permission denied for table tenant_members', 'the auth server cannot change memberships');
select throws_ok($$delete from public.tenants$$, '42501',
  'permission denied for table tenants', 'the auth server cannot delete tenants');
reset role;

-- Nobody else may call the hook ---------------------------------------------------------------------
set local role authenticated;
select set_config('request.jwt.claims', '{"sub": "b0000000-0000-4000-8000-000000000006", "role": "authenticated"}', true);
select throws_ok($$select public.custom_access_token_hook('{"user_id": "b0000000-0000-4000-8000-000000000005"}')$$,
  '42501', 'permission denied for function custom_access_token_hook',
  'authenticated cannot call the hook (no RPC to probe memberships)');
reset role;

set local role anon;
select throws_ok($$select public.custom_access_token_hook('{"user_id": "b0000000-0000-4000-8000-000000000005"}')$$,
  '42501', 'permission denied for function custom_access_token_hook', 'anon cannot call the hook');
reset role;

set local role service_role;
select throws_ok($$select public.custom_access_token_hook('{"user_id": "b0000000-0000-4000-8000-000000000005"}')$$,
  '42501', 'permission denied for function custom_access_token_hook', 'service_role cannot call the hook');
reset role;

select is(
  (select count(*)::int from pg_policies where tablename in ('tenants', 'tenant_members') and 'supabase_auth_admin' = any (roles)),
  2, 'the auth server''s read access comes from exactly two policies');

select * from finish();
rollback;
