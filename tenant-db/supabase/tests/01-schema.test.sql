-- The shape of the tenant schema: the 13 tables and the conventions every one of them must follow
-- (tenant_id, composite foreign keys, indexes, RLS, policies, grants), the private helpers and the
-- schema version. Independent of seed data.
begin;
select plan(244);

create temporary table business_tables (name text primary key) on commit drop;
insert into business_tables values
  ('accounts'), ('contacts'), ('pipeline_stages'), ('products'), ('opportunities'),
  ('opportunity_line_items'), ('venues'), ('events'), ('event_attendees'), ('tasks'), ('notes'),
  ('activities'), ('documents');

-- Assertions repeated for every business table, each message naming its table.
create function pg_temp.table_conventions(tbl text)
returns setof text
language plpgsql
as $$
declare
  noun text := replace(replace(tbl, 'opportunity_line_items', 'opportunity line items'), '_', ' ');
begin
  return next has_table('public', tbl, format('%s: the table exists', tbl));
  return next has_pk('public', tbl, format('%s: has a primary key', tbl));
  return next col_is_pk('public', tbl, 'id', format('%s: the primary key is id', tbl));
  return next col_default_is('public', tbl, 'id', 'gen_random_uuid()',
    format('%s: id defaults to gen_random_uuid()', tbl));
  return next col_not_null('public', tbl, 'tenant_id', format('%s: tenant_id is not null', tbl));
  return next col_default_is('public', tbl, 'tenant_id', 'private.request_tenant_id()',
    format('%s: tenant_id defaults to the request''s tenant claim', tbl));
  return next col_is_unique('public', tbl, array['tenant_id', 'id'],
    format('%s: (tenant_id, id) is unique, the target of composite foreign keys', tbl));
  return next col_default_is('public', tbl, 'created_by', 'auth.uid()',
    format('%s: created_by defaults to auth.uid()', tbl));
  return next has_trigger('public', tbl, 'touch_row', format('%s: updated_at is maintained by trigger', tbl));

  return next ok(
    (select relrowsecurity from pg_class where oid = format('public.%I', tbl)::regclass),
    format('%s: row level security is enabled', tbl));
  return next policies_are('public', tbl, array[
      format('Users of a tenant can read its %s', noun),
      format('Owners, admins and members can add %s to their tenant', noun),
      format('Owners, admins and members can change their tenant''s %s', noun),
      format('Owners and admins can delete their tenant''s %s', noun),
      format('Members can delete %s they created', noun)
    ], format('%s: has exactly the five tenant policies', tbl));

  return next is_empty(format($q$
      select c.conname
      from pg_constraint c
      where c.conrelid = 'public.%I'::regclass and c.contype = 'f'
        and (c.conkey[1] <> (select attnum from pg_attribute where attrelid = c.conrelid and attname = 'tenant_id')
          or c.confkey[1] <> (select attnum from pg_attribute where attrelid = c.confrelid and attname = 'tenant_id')
          or cardinality(c.conkey) <> 2)
    $q$, tbl),
    format('%s: every foreign key is (tenant_id, x_id) → (tenant_id, id)', tbl));

  return next is_empty(format($q$
      select c.conname
      from pg_constraint c
      where c.conrelid = 'public.%I'::regclass and c.contype = 'f'
        and not exists (
          select from pg_index i
          where i.indrelid = c.conrelid
            and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] = c.conkey
        )
    $q$, tbl),
    format('%s: every foreign key has an index starting with its columns', tbl));

  return next ok(
    exists (
      select from pg_index i
      where i.indrelid = format('public.%I', tbl)::regclass
        and i.indkey[0] = (select attnum from pg_attribute
                           where attrelid = i.indrelid and attname = 'tenant_id')
    ),
    format('%s: an index leads with tenant_id', tbl));

  return next table_privs_are('public', tbl, 'anon', array[]::text[],
    format('%s: anon has no privileges', tbl));
  return next table_privs_are('public', tbl, 'authenticated', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
    format('%s: authenticated may select, insert, update, delete (no truncate)', tbl));
end
$$;

select * from pg_temp.table_conventions('accounts');
select * from pg_temp.table_conventions('contacts');
select * from pg_temp.table_conventions('pipeline_stages');
select * from pg_temp.table_conventions('products');
select * from pg_temp.table_conventions('opportunities');
select * from pg_temp.table_conventions('opportunity_line_items');
select * from pg_temp.table_conventions('venues');
select * from pg_temp.table_conventions('events');
select * from pg_temp.table_conventions('event_attendees');
select * from pg_temp.table_conventions('tasks');
select * from pg_temp.table_conventions('notes');
select * from pg_temp.table_conventions('activities');
select * from pg_temp.table_conventions('documents');

-- The schema as a whole ---------------------------------------------------------------------------

select tables_are('public', array(select name from business_tables),
  'public holds exactly the 13 business tables');

select is_empty($$
    select polname from pg_policy p
    where p.polrelid in (select format('public.%I', name)::regclass from business_tables)
      and p.polroles <> array['authenticated'::regrole]::oid[]
  $$, 'every policy applies to authenticated only (none to public or anon)');

select is_empty($$
    select polname from pg_policy p
    where p.polrelid in (select format('public.%I', name)::regclass from business_tables)
      and not (pg_get_expr(coalesce(p.polqual, p.polwithcheck), p.polrelid)
               like '%(tenant_id = ( SELECT private.request_tenant_id() AS request_tenant_id))%')
  $$, 'every policy filters on tenant_id = (select private.request_tenant_id())');

select set_eq($$
    select c.conrelid::regclass::text || ' → ' || c.confrelid::regclass::text
    from pg_constraint c
    where c.contype = 'f' and c.connamespace = 'public'::regnamespace
  $$,
  array[
    'accounts → accounts',
    'contacts → accounts',
    'opportunities → accounts', 'opportunities → pipeline_stages', 'opportunities → contacts',
    'opportunity_line_items → opportunities', 'opportunity_line_items → products',
    'events → accounts', 'events → opportunities', 'events → venues',
    'event_attendees → events', 'event_attendees → contacts',
    'tasks → accounts', 'tasks → contacts', 'tasks → opportunities', 'tasks → events',
    'notes → accounts', 'notes → contacts', 'notes → opportunities', 'notes → events',
    'activities → accounts', 'activities → contacts', 'activities → opportunities', 'activities → events',
    'documents → accounts', 'documents → opportunities', 'documents → events'
  ],
  'the foreign key graph is child → parent as designed');

select is_empty($$
    select conname from pg_constraint c
    where c.contype = 'f' and c.connamespace = 'public'::regnamespace
      and c.confdeltype = 'n' and c.confdelsetcols is null
  $$, 'every on delete set null names its column, so tenant_id is never nulled');

select set_eq($$
    select conname || ': ' || case confdeltype when 'c' then 'cascade' when 'n' then 'set null' when 'r' then 'restrict' end
    from pg_constraint
    where contype = 'f' and conname in ('opportunities_account_id_fkey', 'opportunity_line_items_opportunity_id_fkey',
      'event_attendees_event_id_fkey', 'opportunities_stage_id_fkey', 'opportunity_line_items_product_id_fkey',
      'events_venue_id_fkey')
  $$,
  array[
    'event_attendees_event_id_fkey: cascade',
    'events_venue_id_fkey: set null',
    'opportunities_account_id_fkey: cascade',
    'opportunities_stage_id_fkey: restrict',
    'opportunity_line_items_opportunity_id_fkey: cascade',
    'opportunity_line_items_product_id_fkey: restrict'
  ],
  'children cascade with their parent, catalogue rows in use are restricted, optional links set null');

select ok((select count(*) from information_schema.columns
           where table_schema = 'public' and table_name = 'events') >= 80,
  'events carries the full workflow (80+ columns)');

select has_trigger('public', 'events', 'enforce_workflow', 'events: the status workflow is enforced by trigger');
select has_trigger('public', 'accounts', 'sync_address', 'accounts: the address is synced by trigger');
select has_trigger('public', 'contacts', 'sync_address', 'contacts: the address is synced by trigger');
select has_trigger('public', 'venues', 'sync_address', 'venues: the address is synced by trigger');

-- Private helpers -----------------------------------------------------------------------------------

select has_schema('private', 'the private schema exists');
select schema_privs_are('private', 'anon', array[]::text[], 'anon cannot use the private schema');

select is_empty($$
    select p.oid::regprocedure::text from pg_proc p
    where p.pronamespace = 'private'::regnamespace
      and not coalesce('search_path=""' = any (p.proconfig), false)
      and p.oid not in ('private.request_claims()'::regprocedure, 'private.request_tenant_id()'::regprocedure,
                        'private.request_tenant_role()'::regprocedure)
  $$, 'every private function pins search_path to empty, but the inlined claim helpers');

-- The claim helpers are inlined (no call left in the plan), and no search_path can change what they mean.
create function pg_temp.plan_of(query text) returns text
language plpgsql
as $$
declare
  line text;
  plan text := '';
begin
  for line in execute 'explain (verbose, costs off) ' || query loop
    plan := plan || line || E'\n';
  end loop;
  return plan;
end
$$;
select unalike(pg_temp.plan_of('select (select private.request_tenant_id()), (select private.request_tenant_role())'),
  '%private.%', 'the claim helpers are inlined into the query: no function call is left to plan per statement');
select ok(
    (select bool_and(l.lanname = 'sql' and not p.prosecdef and p.proconfig is null)
     from pg_proc p join pg_language l on l.oid = p.prolang where p.oid in ('private.request_claims()'::regprocedure,
       'private.request_tenant_id()'::regprocedure, 'private.request_tenant_role()'::regprocedure)),
  'the claim helpers are plain SQL functions: not security definer, no SET clause');
create schema hijack;
create function hijack.always(text, text) returns boolean language sql immutable as 'select true';
create operator hijack.~* (leftarg = text, rightarg = text, function = hijack.always);
create operator hijack.= (leftarg = text, rightarg = text, function = hijack.always);
select set_config('search_path', 'hijack, pg_catalog, ' || current_setting('search_path'), true) is not null as hijacked;
set local request.jwt.claims to '{"tenant_id":"not-a-uuid","tenant_role":"root"}';
select results_eq('select private.request_tenant_id()::text, private.request_tenant_role()',
  $$values (null::text, null::text)$$,
  'operators put before pg_catalog on the search_path change nothing: every operator is schema-qualified');
reset search_path;

select ok(not has_function_privilege('anon', 'private.request_tenant_id()', 'execute'),
  'anon cannot execute private.request_tenant_id()');
select ok(has_function_privilege('authenticated', 'private.request_tenant_id()', 'execute'),
  'authenticated can execute private.request_tenant_id()');
select ok(has_function_privilege('authenticated', 'private.request_tenant_role()', 'execute'),
  'authenticated can execute private.request_tenant_role()');
select ok(not has_function_privilege('authenticated', 'private.touch_row()', 'execute'),
  'trigger functions are not callable by API roles');

-- Claim helpers, as the gateway would set the claims
set local request.jwt.claims to
  '{"sub":"f1000000-0000-4000-8000-000000000001","role":"authenticated","tenant_id":"F0000000-0000-4000-8000-00000000000A","tenant_role":"viewer"}';
select is(private.request_tenant_id(), 'f0000000-0000-4000-8000-00000000000a'::uuid,
  'request_tenant_id() reads the tenant_id claim (case-insensitive uuid)');
select is(private.request_tenant_role(), 'viewer', 'request_tenant_role() reads the tenant_role claim');
set local request.jwt.claims to
  '{"role":"authenticated","tenant_id":"acme","tenant_role":"root"}';
select is(private.request_tenant_id(), null, 'a tenant_id claim that is not a uuid counts as no tenant');
select is(private.request_tenant_role(), null, 'an unknown tenant_role counts as no role');
set local request.jwt.claims to
  '';
select is(private.request_tenant_id(), null, 'without claims there is no tenant');

-- Schema version --------------------------------------------------------------------------------------

select matches(private.schema_version(), '^[0-9]{14}$', 'the schema version is a migration timestamp');
select is(private.schema_version(), (select max(version) from private.schema_info),
  'the schema version is the newest applied migration');

-- Applied with the Supabase CLI, every migration must have bumped the version (inserted its timestamp).
select set_eq('select version from private.schema_info',
  case when to_regclass('supabase_migrations.schema_migrations') is null
    then 'select version from private.schema_info'
    else 'select version from supabase_migrations.schema_migrations'
  end,
  'every applied migration recorded its version in private.schema_info');

set local role authenticated;
set local request.jwt.claims to
  '{"sub":"f1000000-0000-4000-8000-000000000001","role":"authenticated","tenant_id":"f0000000-0000-4000-8000-00000000000a","tenant_role":"viewer"}';
select matches(private.schema_version(), '^[0-9]{14}$', 'authenticated can read the schema version');
select throws_ok('select version from private.schema_info', '42501', null,
  'authenticated cannot read schema_info directly');
select is(public.schema_version(), private.schema_version(),
  'authenticated can read the version through the Data API function public.schema_version()');
reset role;

set local role service_role;
select matches(private.schema_version(), '^[0-9]{14}$', 'service_role can read the schema version');
select is(public.schema_version(), private.schema_version(), 'service_role can call public.schema_version()');
reset role;

set local role anon;
select throws_ok('select private.schema_version()', '42501', null, 'anon cannot read the schema version');
select throws_ok('select public.schema_version()', '42501', null, 'anon cannot call public.schema_version()');
reset role;

select * from finish();
rollback;
