-- public.tenant_members through RLS, per actor (anon, owner, admin, viewer, member, member of several
-- tenants, stranger, service_role), and the rule that a tenant always keeps an owner.
-- The steps build on each other; the state after each section is noted.
begin;
select plan(46);

-- Fixtures ------------------------------------------------------------------------------------------
-- zoë is acme's admin; noël and åsa belong nowhere yet (names with quotes and unicode).
insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data)
values
  ('c0000000-0000-4000-8000-000000000002', 'authenticated', 'authenticated', 'zoë.admin@acme.test',
   '{"provider": "email", "providers": ["email"]}', '{"name": "Zoë Ådmin"}'),
  ('c0000000-0000-4000-8000-000000000003', 'authenticated', 'authenticated', 'noel.o''neil@example.test',
   '{"provider": "email", "providers": ["email"]}', '{"name": "Nöel \"Newbie\" O''Neil"}'),
  ('c0000000-0000-4000-8000-000000000004', 'authenticated', 'authenticated', 'åsa@example.test',
   '{"provider": "email", "providers": ["email"]}', '{"name": "Åsa 🙂"}');
insert into public.tenant_members (tenant_id, user_id, role)
values ('a0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002', 'admin');

\set alice   '{"sub": "b0000000-0000-4000-8000-000000000001", "role": "authenticated"}'
\set bob     '{"sub": "b0000000-0000-4000-8000-000000000002", "role": "authenticated"}'
\set ivan    '{"sub": "b0000000-0000-4000-8000-000000000004", "role": "authenticated"}'
\set olivia  '{"sub": "b0000000-0000-4000-8000-000000000005", "role": "authenticated"}'
\set mallory '{"sub": "b0000000-0000-4000-8000-000000000006", "role": "authenticated"}'
\set zoe     '{"sub": "c0000000-0000-4000-8000-000000000002", "role": "authenticated"}'

-- anon ----------------------------------------------------------------------------------------------
set local role anon;
select set_config('request.jwt.claims', '{"role": "anon"}', true);

select throws_ok($$select * from public.tenant_members$$, '42501', 'permission denied for table tenant_members',
  'anon cannot read memberships');
select throws_ok(
  $$insert into public.tenant_members (tenant_id, user_id) values ('a0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000006')$$,
  '42501', 'permission denied for table tenant_members', 'anon cannot add memberships');
select throws_ok($$delete from public.tenant_members$$, '42501', 'permission denied for table tenant_members',
  'anon cannot delete memberships');
reset role;

-- alice: acme owner ---------------------------------------------------------------------------------
set local role authenticated;
select set_config('request.jwt.claims', :'alice', true);

-- Users a developer added to acme on a working database are not this test's: scope to the demo's and its own.
select results_eq(
  $$select user_id::text from public.tenant_members where user_id::text similar to '(b|c)0000000-%' order by user_id$$,
  array['b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000002',
        'b0000000-0000-4000-8000-000000000005', 'c0000000-0000-4000-8000-000000000002'],
  'an owner sees exactly her tenant''s members');
select is_empty($$select 1 from public.tenant_members where tenant_id <> 'a0000000-0000-4000-8000-000000000001'$$,
  'an owner sees no membership of another tenant (not even a co-member''s)');
select results_eq(
  $$insert into public.tenant_members (tenant_id, user_id, role)
    values ('a0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000003', 'member') returning role$$,
  array['member'], 'an owner adds a member');
select results_eq(
  $$insert into public.tenant_members (tenant_id, user_id, role)
    values ('a0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000004', 'owner') returning role$$,
  array['owner'], 'an owner makes someone else owner');
select results_eq(
  $$update public.tenant_members set role = 'member'
    where user_id = 'b0000000-0000-4000-8000-000000000002' returning role$$,
  array['member'], 'an owner changes a member''s role');
select throws_ok(
  $$update public.tenant_members set user_id = 'b0000000-0000-4000-8000-000000000006'
    where user_id = 'b0000000-0000-4000-8000-000000000002'$$,
  '42501', 'permission denied for table tenant_members', 'a membership cannot be handed to another user');
select throws_ok(
  $$insert into public.tenant_members (tenant_id, user_id, role)
    values ('a0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000003', 'member')$$,
  '42501', 'new row violates row-level security policy for table "tenant_members"',
  'an owner of acme cannot add members to globex');
select results_eq(
  $$delete from public.tenant_members where user_id = 'c0000000-0000-4000-8000-000000000004' returning user_id::text$$,
  array['c0000000-0000-4000-8000-000000000004'], 'an owner removes another owner');
select is_empty(
  $$delete from public.tenant_members where tenant_id = 'a0000000-0000-4000-8000-000000000002' returning user_id$$,
  'an owner of acme cannot remove globex''s members');
reset role;
-- acme: alice owner, bob member, olivia member, zoë admin, noël member

-- zoë: acme admin -----------------------------------------------------------------------------------
set local role authenticated;
select set_config('request.jwt.claims', :'zoe', true);

select is((select count(*)::int from public.tenant_members where user_id::text similar to '(b|c)0000000-%'), 5,
  'an admin sees her tenant''s five members');
select results_eq(
  $$insert into public.tenant_members (tenant_id, user_id, role)
    values ('a0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000004', 'admin') returning role$$,
  array['admin'], 'an admin adds another admin');
select throws_ok(
  $$insert into public.tenant_members (tenant_id, user_id, role)
    values ('a0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000006', 'owner')$$,
  '42501', 'new row violates row-level security policy for table "tenant_members"',
  'an admin cannot add an owner');
select throws_ok(
  $$update public.tenant_members set role = 'owner' where user_id = 'b0000000-0000-4000-8000-000000000002'$$,
  '42501', 'new row violates row-level security policy for table "tenant_members"',
  'an admin cannot promote a member to owner');
select is_empty(
  $$update public.tenant_members set role = 'member' where user_id = 'b0000000-0000-4000-8000-000000000001' returning 1$$,
  'an admin cannot demote an owner (filtered silently)');
select is_empty(
  $$delete from public.tenant_members where user_id = 'b0000000-0000-4000-8000-000000000001' returning 1$$,
  'an admin cannot remove an owner (filtered silently)');
select results_eq(
  $$update public.tenant_members set role = 'viewer' where user_id = 'b0000000-0000-4000-8000-000000000002' returning role$$,
  array['viewer'], 'an admin changes a member''s role');
select results_eq(
  $$delete from public.tenant_members where user_id = 'c0000000-0000-4000-8000-000000000004' returning user_id::text$$,
  array['c0000000-0000-4000-8000-000000000004'], 'an admin removes another admin');
select throws_ok(
  $$update public.tenant_members set role = 'owner' where user_id = 'c0000000-0000-4000-8000-000000000002'$$,
  '42501', 'new row violates row-level security policy for table "tenant_members"',
  'an admin cannot promote herself to owner');
reset role;
-- acme: alice owner, bob viewer, olivia member, zoë admin, noël member

-- bob: acme viewer ----------------------------------------------------------------------------------
set local role authenticated;
select set_config('request.jwt.claims', :'bob', true);

select throws_ok(
  $$insert into public.tenant_members (tenant_id, user_id, role)
    values ('a0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000006', 'viewer')$$,
  '42501', 'new row violates row-level security policy for table "tenant_members"',
  'a viewer cannot add members');
select is_empty(
  $$update public.tenant_members set role = 'viewer' where user_id = 'b0000000-0000-4000-8000-000000000005' returning 1$$,
  'a viewer cannot change roles');
select is_empty(
  $$delete from public.tenant_members where user_id = 'b0000000-0000-4000-8000-000000000005' returning 1$$,
  'a viewer cannot remove members');
select results_eq(
  $$delete from public.tenant_members where user_id = 'b0000000-0000-4000-8000-000000000002' returning user_id::text$$,
  array['b0000000-0000-4000-8000-000000000002'], 'a viewer can leave his tenant');
reset role;
-- acme: alice owner, olivia member, zoë admin, noël member

-- olivia: member of acme and globex -----------------------------------------------------------------
set local role authenticated;
select set_config('request.jwt.claims', :'olivia', true);

select results_eq($$select distinct tenant_id::text from public.tenant_members order by 1$$,
  array['a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002'],
  'a member of two tenants sees the members of both');
select is_empty($$select 1 from public.tenant_members where tenant_id = 'a0000000-0000-4000-8000-000000000003'$$,
  'a member of two tenants sees nothing of a third');
select is_empty(
  $$update public.tenant_members set role = 'owner' where user_id = 'b0000000-0000-4000-8000-000000000005' returning 1$$,
  'a member cannot promote herself');
select results_eq(
  $$delete from public.tenant_members
    where tenant_id = 'a0000000-0000-4000-8000-000000000002' and user_id = 'b0000000-0000-4000-8000-000000000005'
    returning tenant_id::text$$,
  array['a0000000-0000-4000-8000-000000000002'], 'a member leaves one of her tenants');
reset role;
-- globex: grace owner

-- ivan: initech member ------------------------------------------------------------------------------
set local role authenticated;
select set_config('request.jwt.claims', :'ivan', true);

select results_eq($$select user_id::text from public.tenant_members$$, array['b0000000-0000-4000-8000-000000000004'],
  'ivan sees only initech''s membership');
reset role;

-- mallory: no membership ----------------------------------------------------------------------------
set local role authenticated;
select set_config('request.jwt.claims', :'mallory', true);

select is_empty($$select 1 from public.tenant_members$$, 'mallory sees no membership');
select throws_ok(
  $$insert into public.tenant_members (tenant_id, user_id, role)
    values ('a0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000006', 'owner')$$,
  '42501', 'new row violates row-level security policy for table "tenant_members"',
  'mallory cannot make herself owner of acme');
select throws_ok(
  $$insert into public.tenant_members (tenant_id, user_id, role)
    values ('a0000000-0000-4000-8000-000000000003', 'b0000000-0000-4000-8000-000000000006', 'viewer')$$,
  '42501', 'new row violates row-level security policy for table "tenant_members"',
  'mallory cannot join initech as a viewer');
select is_empty($$update public.tenant_members set role = 'viewer' returning 1$$, 'mallory cannot change any role');
select is_empty($$delete from public.tenant_members returning 1$$, 'mallory cannot remove anyone');
reset role;

select is((select count(*)::int from public.tenant_members
            where tenant_id::text like 'a0000000-%' and user_id::text similar to '(b|c)0000000-%'), 6,
  'after all denied attempts the memberships are as expected (acme 4, globex 1, initech 1)');

-- A tenant always keeps an owner --------------------------------------------------------------------
set local role authenticated;
select set_config('request.jwt.claims', :'alice', true);

select throws_ok(
  $$delete from public.tenant_members where user_id = 'b0000000-0000-4000-8000-000000000001'$$,
  '23514', 'Tenant a0000000-0000-4000-8000-000000000001 must keep at least one owner',
  'the last owner cannot leave');
select throws_ok(
  $$update public.tenant_members set role = 'admin' where user_id = 'b0000000-0000-4000-8000-000000000001'$$,
  '23514', 'Tenant a0000000-0000-4000-8000-000000000001 must keep at least one owner',
  'the last owner cannot demote herself');
reset role;

set local role service_role;
select set_config('request.jwt.claims', '{"role": "service_role"}', true);

select throws_ok(
  $$delete from public.tenant_members where user_id = 'b0000000-0000-4000-8000-000000000001'$$,
  '23514', 'Tenant a0000000-0000-4000-8000-000000000001 must keep at least one owner',
  'service_role cannot remove the last owner either');
select throws_ok(
  $$set constraints public.tenant_members_keep_owner deferred;
    update public.tenant_members set role = 'member' where user_id = 'b0000000-0000-4000-8000-000000000001';
    set constraints public.tenant_members_keep_owner immediate$$,
  '23514', 'Tenant a0000000-0000-4000-8000-000000000001 must keep at least one owner',
  'deferring the check does not let a transaction end without an owner');
set constraints all immediate;
select lives_ok(
  $$set constraints public.tenant_members_keep_owner deferred;
    update public.tenant_members set role = 'admin' where user_id = 'b0000000-0000-4000-8000-000000000001';
    update public.tenant_members set role = 'owner' where user_id = 'b0000000-0000-4000-8000-000000000005'
      and tenant_id = 'a0000000-0000-4000-8000-000000000001';
    set constraints public.tenant_members_keep_owner immediate$$,
  'a deferred handover may demote the old owner before promoting the new one');
set constraints all immediate;
select results_eq(
  $$select user_id::text from public.tenant_members
    where tenant_id = 'a0000000-0000-4000-8000-000000000001' and role = 'owner'$$,
  array['b0000000-0000-4000-8000-000000000005'], 'after the handover olivia is acme''s only owner');
reset role;

select throws_ok(
  $$delete from auth.users where id = 'b0000000-0000-4000-8000-000000000003'$$,
  '23514', 'Tenant a0000000-0000-4000-8000-000000000002 must keep at least one owner',
  'deleting the account of a tenant''s last owner is refused (transfer ownership or delete the tenant first)');

set local role service_role;
select results_eq($$delete from public.tenants where slug = 'globex' returning slug$$, array['globex'],
  'deleting a tenant removes its last owner''s membership with it');
reset role;
select is((select count(*)::int from public.tenant_members where tenant_id = 'a0000000-0000-4000-8000-000000000002'), 0,
  'globex''s memberships were deleted with it');

select lives_ok($$delete from auth.users where id = 'b0000000-0000-4000-8000-000000000003'$$,
  'a user who owns nothing any more can be deleted');

select * from finish();
rollback;
