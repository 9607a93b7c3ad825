-- What keeps the application database fast at 100,000 tenants and 1,000,000 memberships
-- (20261204000100_tenancy_at_scale.sql): the covering index on memberships by user, and read policies that
-- hand the caller's tenants to an index instead of testing every row. The plans themselves are checked at
-- full scale by tests/app_db_scale_test.ts; the rows each policy lets through, by 02, 03, 05 and 08.
begin;
select plan(12);

-- The covering index -------------------------------------------------------------------------------

select is(
  (select array_agg(a.attname::text order by k.ord)
   from pg_index i
   cross join lateral unnest(i.indkey) with ordinality as k (attnum, ord)
   join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
   where i.indexrelid = 'public.tenant_members_user_id_idx'::regclass and k.ord <= i.indnkeyatts),
  array['user_id'],
  'tenant_members_user_id_idx is keyed by user_id alone');
select is(
  (select array_agg(a.attname::text order by k.ord)
   from pg_index i
   cross join lateral unnest(i.indkey) with ordinality as k (attnum, ord)
   join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
   where i.indexrelid = 'public.tenant_members_user_id_idx'::regclass and k.ord > i.indnkeyatts),
  array['tenant_id', 'role'],
  'tenant_members_user_id_idx carries tenant_id and role, so lookups by user never read the heap');
select is(
  (select count(*)::int from pg_index i
   where i.indrelid = 'public.tenant_members'::regclass
     and (select a.attname from pg_attribute a where a.attrelid = i.indrelid and a.attnum = i.indkey[0]) = 'user_id'),
  1,
  'one index leads with tenant_members.user_id (the covering one replaced the plain one)');

-- Pages of the tenant list, filtered, walk an index in slug order ---------------------------------

select is_indexed('public', 'tenants', array['status', 'slug'], 'tenants are indexed by status, then slug');
select is_indexed('public', 'tenants', array['data_source_id', 'slug'],
  'tenants are indexed by data source, then slug');

-- Read policies: the caller's tenants evaluated once, then an index lookup ------------------------

select ok(
  (select qual from pg_policies where tablename = 'tenants' and policyname = 'Members can read their tenants')
    ~ '^\(id = ANY \(ARRAY\( SELECT private\.tenant_ids_with_role\(ARRAY\[''owner''::text, ''admin''::text, ''member''::text, ''viewer''::text\]\)',
  'tenants: members read their tenants through id = any(array(…)), not a function call per row');
select ok(
  (select qual from pg_policies
   where tablename = 'tenant_members' and policyname = 'Members can read the members of their tenants')
    ~ '^\(tenant_id = ANY \(ARRAY\( SELECT private\.tenant_ids_with_role\(ARRAY\[''owner''::text, ''admin''::text, ''member''::text, ''viewer''::text\]\)',
  'tenant_members: members read co-members through tenant_id = any(array(…))');
select ok(
  (select qual from pg_policies
   where tablename = 'audit_log' and policyname = 'Owners and admins can read their tenant''s audit entries')
    ~ '^\(tenant_id = ANY \(ARRAY\( SELECT private\.tenant_ids_with_role\(ARRAY\[''owner''::text, ''admin''::text\]\)',
  'audit_log: owners and admins read through tenant_id = any(array(…)), so the tenant index serves it');
select ok(
  (select qual from pg_policies
   where tablename = 'tenant_moves' and policyname = 'Owners and admins can read their tenant''s moves')
    ~ '^\(tenant_id = ANY \(ARRAY\( SELECT private\.tenant_ids_with_role\(ARRAY\[''owner''::text, ''admin''::text\]\)',
  'tenant_moves: owners and admins read through tenant_id = any(array(…))');
select ok(
  (select qual from pg_policies
   where tablename = 'tenant_move_tables'
     and policyname = 'Owners and admins can read their tenant''s move progress')
    ~ '^\(tenant_id = ANY \(ARRAY\( SELECT private\.tenant_ids_with_role\(ARRAY\[''owner''::text, ''admin''::text\]\)',
  'tenant_move_tables: owners and admins read through tenant_id = any(array(…))');
select is(
  (select array_agg(tablename || ': ' || policyname order by 1)
   from pg_policies
   where schemaname = 'public' and cmd = 'SELECT' and qual ~ '(is_member|has_tenant_role)\('),
  null,
  'no read policy calls a membership function once per row');

-- The same rows as before: a member of two tenants sees exactly those two --------------------------

insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data)
values ('c0000000-0000-4000-8000-00000000a001', 'authenticated', 'authenticated', 'scale.zoë@example.test',
        '{"provider": "email"}', '{}');
insert into public.tenants (id, slug, name) values
  ('a0000000-0000-4000-8000-00000000a001', 'scale-one', 'Scale « One »'),
  ('a0000000-0000-4000-8000-00000000a002', 'scale-two', 'Scale Two'),
  ('a0000000-0000-4000-8000-00000000a003', 'scale-three', 'Scale Three');
insert into public.tenant_members (tenant_id, user_id, role) values
  ('a0000000-0000-4000-8000-00000000a001', 'c0000000-0000-4000-8000-00000000a001', 'viewer'),
  ('a0000000-0000-4000-8000-00000000a002', 'c0000000-0000-4000-8000-00000000a001', 'member');
select set_config('request.jwt.claims',
  '{"sub": "c0000000-0000-4000-8000-00000000a001", "role": "authenticated"}', true);
set local role authenticated;
select results_eq(
  $$select slug from public.tenants order by slug$$,
  array['scale-one', 'scale-two'],
  'a viewer of one tenant and member of another reads exactly those two tenants');
reset role;

select * from finish();
rollback;
