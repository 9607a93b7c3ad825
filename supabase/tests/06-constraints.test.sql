-- Invariants of tenants and memberships that hold whoever writes (service_role here, which bypasses RLS):
-- slug and name formats, statuses, roles, foreign keys, cascades and timestamps.
begin;
select plan(34);

set local role service_role;
select set_config('request.jwt.claims', '{"role": "service_role"}', true);

-- Slugs ---------------------------------------------------------------------------------------------
select throws_ok($$insert into public.tenants (slug, name) values ('ab', 'Too short')$$, '23514',
  'new row for relation "tenants" violates check constraint "tenants_slug_format"', 'a 2-character slug is refused');
select throws_ok($$insert into public.tenants (slug, name) values (repeat('a', 64), 'Too long')$$, '23514',
  'new row for relation "tenants" violates check constraint "tenants_slug_format"', 'a 64-character slug is refused');
select throws_ok($$insert into public.tenants (slug, name) values ('Acme', 'Capital')$$, '23514',
  'new row for relation "tenants" violates check constraint "tenants_slug_format"', 'a slug with capitals is refused');
select throws_ok($$insert into public.tenants (slug, name) values ('-acme', 'Leading dash')$$, '23514',
  'new row for relation "tenants" violates check constraint "tenants_slug_format"', 'a slug starting with - is refused');
select throws_ok($$insert into public.tenants (slug, name) values ('acme-', 'Trailing dash')$$, '23514',
  'new row for relation "tenants" violates check constraint "tenants_slug_format"', 'a slug ending with - is refused');
select throws_ok($$insert into public.tenants (slug, name) values ('ac_me', 'Underscore')$$, '23514',
  'new row for relation "tenants" violates check constraint "tenants_slug_format"', 'a slug with _ is refused');
select throws_ok($$insert into public.tenants (slug, name) values ('a.b.c', 'Dots')$$, '23514',
  'new row for relation "tenants" violates check constraint "tenants_slug_format"', 'a slug with dots is refused');
select throws_ok($$insert into public.tenants (slug, name) values ('ünïcode', 'Unicode')$$, '23514',
  'new row for relation "tenants" violates check constraint "tenants_slug_format"', 'a slug with non-ASCII letters is refused');
select throws_ok($$insert into public.tenants (slug, name) values ('o''brien', 'Quote')$$, '23514',
  'new row for relation "tenants" violates check constraint "tenants_slug_format"', 'a slug with a quote is refused');
select throws_ok($$insert into public.tenants (slug, name) values ('acme corp', 'Space')$$, '23514',
  'new row for relation "tenants" violates check constraint "tenants_slug_format"', 'a slug with a space is refused');
select throws_ok(
  $$insert into public.tenants (slug, name) values ('a0000000-0000-4000-8000-000000000002', 'Looks like globex')$$, '23514',
  'new row for relation "tenants" violates check constraint "tenants_slug_not_uuid"',
  'a uuid-shaped slug is refused (x-tenant-id takes either)');
select throws_ok($$insert into public.tenants (slug, name) values ('acme', 'Acme again')$$, '23505',
  'duplicate key value violates unique constraint "tenants_slug_key"', 'slugs are unique');
select lives_ok($$insert into public.tenants (slug, name) values ('a-1', 'Shortest')$$, 'a 3-character slug is accepted');
select lives_ok($$insert into public.tenants (slug, name) values (repeat('z', 63), 'Longest')$$, 'a 63-character slug is accepted');
select lives_ok($$insert into public.tenants (slug, name) values ('0-day--co', 'Digits and double dash')$$,
  'a slug of digits and inner dashes is accepted');

-- Names and status ----------------------------------------------------------------------------------
select throws_ok($$insert into public.tenants (slug, name) values ('empty-name', '')$$, '23514',
  'new row for relation "tenants" violates check constraint "tenants_name_format"', 'an empty name is refused');
select throws_ok($$insert into public.tenants (slug, name) values ('padded-name', ' Padded ')$$, '23514',
  'new row for relation "tenants" violates check constraint "tenants_name_format"', 'a name with outer spaces is refused');
select throws_ok($$insert into public.tenants (slug, name) values ('tab-name', E'Tab\there')$$, '23514',
  'new row for relation "tenants" violates check constraint "tenants_name_format"', 'a name with a control character is refused');
select throws_ok($$insert into public.tenants (slug, name) values ('long-name', repeat('x', 201))$$, '23514',
  'new row for relation "tenants" violates check constraint "tenants_name_format"', 'a 201-character name is refused');
select results_eq(
  $$insert into public.tenants (slug, name) values ('awkward', 'Ünïcødé "Quotes" & ''Apostrophes'' — 🚀 ½') returning name$$,
  array['Ünïcødé "Quotes" & ''Apostrophes'' — 🚀 ½'], 'a name with quotes, unicode and emoji is stored intact');
select throws_ok($$update public.tenants set status = 'deleted' where slug = 'acme'$$, '23514',
  'new row for relation "tenants" violates check constraint "tenants_status_valid"', 'an unknown tenant status is refused');
select results_eq($$update public.tenants set status = 'moving' where slug = 'acme' returning status$$,
  array['moving'], 'a tenant can be marked moving');

-- Memberships ---------------------------------------------------------------------------------------
select throws_ok(
  $$insert into public.tenant_members (tenant_id, user_id, role)
    values ('a0000000-0000-4000-8000-000000000003', 'b0000000-0000-4000-8000-000000000006', 'superuser')$$,
  '23514', 'new row for relation "tenant_members" violates check constraint "tenant_members_role_valid"',
  'an unknown role is refused');
select throws_ok(
  $$insert into public.tenant_members (tenant_id, user_id) values ('a0000000-0000-4000-8000-000000000003', 'f0000000-0000-4000-8000-00000000dead')$$,
  '23503', 'insert or update on table "tenant_members" violates foreign key constraint "tenant_members_user_id_fkey"',
  'a membership needs an existing user');
select throws_ok(
  $$insert into public.tenant_members (tenant_id, user_id) values ('f0000000-0000-4000-8000-00000000dead', 'b0000000-0000-4000-8000-000000000006')$$,
  '23503', 'insert or update on table "tenant_members" violates foreign key constraint "tenant_members_tenant_id_fkey"',
  'a membership needs an existing tenant');
select throws_ok(
  $$insert into public.tenant_members (tenant_id, user_id) values ('a0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000002')$$,
  '23505', 'duplicate key value violates unique constraint "tenant_members_pkey"',
  'a user belongs to a tenant at most once');
select results_eq(
  $$select role from public.tenant_members
    where tenant_id = 'a0000000-0000-4000-8000-000000000003' and user_id = 'b0000000-0000-4000-8000-000000000004'$$,
  array['member'], 'the seed makes ivan a member of initech');
reset role;

select lives_ok($$delete from auth.users where id = 'b0000000-0000-4000-8000-000000000002'$$,
  'a user who is not a last owner can be deleted');
select is_empty($$select 1 from public.tenant_members where user_id = 'b0000000-0000-4000-8000-000000000002'$$,
  'deleting a user deletes their memberships');
select results_eq(
  $$select user_id::text from public.tenant_members
    where tenant_id = 'a0000000-0000-4000-8000-000000000001' and user_id::text like 'b0000000-%' order by user_id$$,
  array['b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000005'],
  'acme keeps its other members (alice, olivia)');

-- Timestamps ----------------------------------------------------------------------------------------
insert into public.tenants (id, slug, name, created_at, updated_at)
values ('c1000000-0000-4000-8000-000000000003', 'old-timer', 'Old Timer', '2001-01-01', '2001-01-01');
insert into public.tenant_members (tenant_id, user_id, role, created_at, updated_at)
values ('c1000000-0000-4000-8000-000000000003', 'b0000000-0000-4000-8000-000000000006', 'owner', '2001-01-01', '2001-01-01');

update public.tenants set name = 'Old Timer, renamed' where slug = 'old-timer';
update public.tenant_members set role = 'owner'
where tenant_id = 'c1000000-0000-4000-8000-000000000003';

select is((select updated_at from public.tenants where slug = 'old-timer'), now(),
  'updating a tenant sets updated_at');
select is((select created_at from public.tenants where slug = 'old-timer'), '2001-01-01'::timestamptz,
  'updating a tenant keeps created_at');
select is((select updated_at from public.tenant_members where tenant_id = 'c1000000-0000-4000-8000-000000000003'), now(),
  'updating a membership sets updated_at');
select results_eq(
  $$update public.tenants set updated_at = '2001-01-01', name = 'Backdated' where slug = 'old-timer' returning updated_at = now()$$,
  array[true], 'a writer cannot backdate updated_at');

select * from finish();
rollback;
