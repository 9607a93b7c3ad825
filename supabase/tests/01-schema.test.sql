-- Shape of the application database: tables, RLS everywhere, privileges, triggers, helpers, policies,
-- indexes and comments. Behaviour is tested per actor in the files that follow.
begin;
select plan(81);

-- Tables --------------------------------------------------------------------------------------------

select tables_are('public', array['tenants', 'tenant_members', 'tenant_moves', 'tenant_move_tables', 'audit_log'],
  'public holds exactly the control-plane tables the API may serve');
select tables_are('private', array['data_sources', 'encryption_keys'],
  'private holds the data sources and the key registry');

-- RLS on every table of every schema this project creates -------------------------------------------

select is(
  (select array_agg(c.oid::regclass::text order by 1)
   from pg_class c
   where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace)
     and c.relkind in ('r', 'p')
     and not c.relrowsecurity),
  null,
  'no table in public or private has RLS disabled');
select ok((select relrowsecurity from pg_class where oid = 'public.tenants'::regclass), 'RLS is on for public.tenants');
select ok((select relrowsecurity from pg_class where oid = 'public.tenant_members'::regclass), 'RLS is on for public.tenant_members');
select ok((select relrowsecurity from pg_class where oid = 'public.tenant_moves'::regclass), 'RLS is on for public.tenant_moves');
select ok((select relrowsecurity from pg_class where oid = 'public.tenant_move_tables'::regclass), 'RLS is on for public.tenant_move_tables');
select ok((select relrowsecurity from pg_class where oid = 'public.audit_log'::regclass), 'RLS is on for public.audit_log');
select ok((select relrowsecurity from pg_class where oid = 'private.data_sources'::regclass), 'RLS is on for private.data_sources');
select ok((select relrowsecurity from pg_class where oid = 'private.encryption_keys'::regclass), 'RLS is on for private.encryption_keys');

-- Columns the functions and the CLI rely on ---------------------------------------------------------

select col_type_is('private', 'data_sources', 'secret_ciphertext', 'bytea', 'data_sources.secret_ciphertext is bytea');
select col_type_is('private', 'data_sources', 'secret_nonce', 'bytea', 'data_sources.secret_nonce is bytea');
select col_type_is('private', 'data_sources', 'secret_key_id', 'text', 'data_sources.secret_key_id is text');
select col_not_null('private', 'data_sources', 'secret_ciphertext', 'data_sources.secret_ciphertext is required');
select col_not_null('private', 'data_sources', 'secret_nonce', 'data_sources.secret_nonce is required');
select col_default_is('private', 'data_sources', 'pool_max', '10', 'data_sources.pool_max defaults to 10');
select col_default_is('private', 'data_sources', 'status', 'active'::text, 'data_sources.status defaults to active');
select fk_ok('private', 'data_sources', 'secret_key_id', 'private', 'encryption_keys', 'id',
  'data_sources.secret_key_id references the key registry');
select columns_are('private', 'encryption_keys',
  array['id', 'status', 'fingerprint', 'created_at', 'activated_at', 'retired_at'],
  'the key registry has ids, states and timestamps, and no column for key material');
select fk_ok('public', 'tenants', 'data_source_id', 'private', 'data_sources', 'id',
  'tenants.data_source_id references private.data_sources');
select col_is_null('public', 'tenants', 'data_source_id', 'tenants.data_source_id is nullable (null = default)');
select col_is_pk('public', 'tenant_members', array['tenant_id', 'user_id'], 'tenant_members is keyed by (tenant_id, user_id)');
select fk_ok('public', 'tenant_members', 'user_id', 'auth', 'users', 'id', 'tenant_members.user_id references auth.users');
select columns_are('public', 'audit_log',
  array['id', 'occurred_at', 'actor_id', 'actor_role', 'tenant_id', 'action', 'entity', 'entity_id', 'old', 'new'],
  'audit_log has the documented columns');
select col_type_is('public', 'audit_log', 'id', 'bigint', 'audit_log.id is a bigint identity');
select fk_ok('public', 'tenant_move_tables', array['move_id', 'tenant_id'], 'public', 'tenant_moves', array['id', 'tenant_id'],
  'move tables belong to a move of the same tenant');

-- Schema and table privileges -----------------------------------------------------------------------

select schema_privs_are('private', 'anon', array[]::text[], 'anon has no privilege on schema private');
select schema_privs_are('private', 'authenticated', array[]::text[], 'authenticated has no privilege on schema private');
select schema_privs_are('private', 'service_role', array['USAGE'], 'service_role may use schema private');
select table_privs_are('private', 'data_sources', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  'service_role manages data sources');
select table_privs_are('private', 'encryption_keys', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  'service_role manages the key registry');
select table_privs_are('public', 'tenants', 'anon', array[]::text[], 'anon has no privilege on tenants');
select table_privs_are('public', 'tenant_members', 'anon', array[]::text[], 'anon has no privilege on tenant_members');
select table_privs_are('public', 'audit_log', 'anon', array[]::text[], 'anon has no privilege on audit_log');
select table_privs_are('public', 'tenants', 'authenticated', array['SELECT'], 'authenticated reads tenants (writes by column only)');
select column_privs_are('public', 'tenants', 'name', 'authenticated', array['SELECT', 'UPDATE'],
  'authenticated may update a tenant''s name (RLS: owners)');
select column_privs_are('public', 'tenants', 'data_source_id', 'authenticated', array['SELECT'],
  'authenticated may not change a tenant''s routing');
select table_privs_are('public', 'tenant_members', 'authenticated', array['SELECT', 'DELETE'],
  'authenticated reads and deletes memberships (RLS decides which)');
select column_privs_are('public', 'tenant_members', 'role', 'authenticated', array['SELECT', 'INSERT', 'UPDATE'],
  'authenticated may set a member''s role');
select column_privs_are('public', 'tenant_members', 'user_id', 'authenticated', array['SELECT', 'INSERT'],
  'authenticated may not move a membership to another user');
select table_privs_are('public', 'tenant_moves', 'authenticated', array['SELECT'], 'authenticated only reads moves');
select table_privs_are('public', 'audit_log', 'authenticated', array['SELECT'], 'authenticated only reads audit entries');
select table_privs_are('public', 'audit_log', 'service_role', array['SELECT'], 'service_role only reads audit entries');
select is(
  (select array_agg(a.privilege_type::text order by 1)
   from pg_class c, aclexplode(c.relacl) a
   where c.oid = 'public.audit_log'::regclass
     and a.grantee = c.relowner
     and a.privilege_type in ('UPDATE', 'DELETE', 'TRUNCATE')),
  null,
  'the owner of audit_log holds no UPDATE, DELETE or TRUNCATE privilege');

-- Functions: search_path, security definer, EXECUTE -------------------------------------------------

select is(
  (select array_agg(p.oid::regprocedure::text order by 1)
   from pg_proc p
   where p.pronamespace in ('private'::regnamespace, 'public'::regnamespace)
     and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
     and not coalesce('search_path=""' = any (p.proconfig), false)),
  null,
  'every function of ours in private and public pins search_path to ''''');
select is(
  (select array_agg(p.oid::regprocedure::text order by 1)
   from pg_proc p
   where p.pronamespace = 'private'::regnamespace
     and (p.proacl is null or exists (select 1 from aclexplode(p.proacl) a where a.grantee = 0))),
  null,
  'no function in private is executable by PUBLIC');
select is_definer('private', 'is_member', array['uuid'], 'private.is_member is security definer');
select is_definer('private', 'has_tenant_role', array['uuid', 'text[]'], 'private.has_tenant_role is security definer');
select is_definer('private', 'can_manage_member', array['uuid', 'text'], 'private.can_manage_member is security definer');
select is_definer('private', 'tenant_ids_with_role', array['text[]'], 'private.tenant_ids_with_role is security definer');
select is_definer('private', 'record_audit', array[]::text[], 'private.record_audit is security definer');
select function_privs_are('private', 'is_member', array['uuid'], 'authenticated', array['EXECUTE'],
  'authenticated may execute private.is_member (through policies)');
select function_privs_are('private', 'is_member', array['uuid'], 'anon', array[]::text[],
  'anon may not execute private.is_member');
select function_privs_are('private', 'can_manage_member', array['uuid', 'text'], 'anon', array[]::text[],
  'anon may not execute private.can_manage_member');
select function_privs_are('private', 'record_audit', array[]::text[], 'authenticated', array[]::text[],
  'authenticated may not execute the audit trigger function directly');
select function_privs_are('public', 'custom_access_token_hook', array['jsonb'], 'supabase_auth_admin', array['EXECUTE'],
  'supabase_auth_admin may execute the access-token hook');
select function_privs_are('public', 'custom_access_token_hook', array['jsonb'], 'authenticated', array[]::text[],
  'authenticated may not execute the access-token hook');
select function_privs_are('public', 'custom_access_token_hook', array['jsonb'], 'anon', array[]::text[],
  'anon may not execute the access-token hook');
select ok(
  not exists (select 1 from aclexplode((select proacl from pg_proc where oid = 'public.custom_access_token_hook(jsonb)'::regprocedure)) a
              where a.grantee = 0),
  'PUBLIC may not execute the access-token hook');

-- Triggers ------------------------------------------------------------------------------------------

select is(
  (select array_agg(c.oid::regclass::text order by 1)
   from pg_class c
   where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace)
     and c.relkind in ('r', 'p')
     and c.oid <> 'public.audit_log'::regclass
     and not exists (
       select 1 from pg_trigger t
       where t.tgrelid = c.oid and t.tgfoid = 'private.record_audit()'::regprocedure
         and t.tgtype & 1 = 1        -- row level
         and t.tgtype & 28 = 28))   -- insert, delete and update
  , null,
  'every table but audit_log has the row-level audit trigger for insert, update and delete');
select is(
  (select array_agg(c.oid::regclass::text order by 1)
   from pg_class c
   where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace)
     and c.relkind in ('r', 'p')
     and c.oid <> 'public.audit_log'::regclass
     and not exists (
       select 1 from pg_trigger t
       where t.tgrelid = c.oid and t.tgfoid = 'private.record_audit()'::regprocedure
         and t.tgtype & 32 = 32))   -- truncate
  , null,
  'every table but audit_log audits TRUNCATE');
select trigger_is('public', 'tenants', 'tenants_notify', 'private', 'notify_config_change',
  'tenants notify the functions of changes');
select trigger_is('public', 'tenant_members', 'tenant_members_notify', 'private', 'notify_config_change',
  'tenant_members notify the functions of changes');
select trigger_is('private', 'data_sources', 'data_sources_notify', 'private', 'notify_config_change',
  'data_sources notify the functions of changes');
select trigger_is('public', 'audit_log', 'audit_log_append_only', 'private', 'reject_audit_change',
  'audit_log refuses changes by trigger');
select ok(
  (select tgtype & 1 = 0 and tgtype & 2 = 2 and tgtype & (8 | 16 | 32) = (8 | 16 | 32)
   from pg_trigger where tgrelid = 'public.audit_log'::regclass and tgname = 'audit_log_append_only'),
  'the append-only trigger is a BEFORE statement trigger on update, delete and truncate');
select ok(
  (select tgconstraint <> 0 and tgdeferrable from pg_trigger
   where tgrelid = 'public.tenant_members'::regclass and tgname = 'tenant_members_keep_owner'),
  'the last-owner rule is a deferrable constraint trigger');

-- Policies ------------------------------------------------------------------------------------------

select policies_are('public', 'tenants', array[
  'Members can read their tenants',
  'Owners can rename their tenant',
  'The auth server can read tenants to issue tokens'],
  'tenants has exactly its documented policies');
select policies_are('public', 'tenant_members', array[
  'Members can read the members of their tenants',
  'Owners and admins can add members to their tenant',
  'Owners and admins can change the roles of their tenant''s members',
  'Members can leave and owners and admins can remove members',
  'The auth server can read memberships to issue tokens'],
  'tenant_members has exactly its documented policies');
select policies_are('public', 'audit_log', array['Owners and admins can read their tenant''s audit entries'],
  'audit_log has one read policy and no write policy');
select policies_are('public', 'tenant_moves', array['Owners and admins can read their tenant''s moves'],
  'tenant_moves has one read policy');
select policies_are('public', 'tenant_move_tables', array['Owners and admins can read their tenant''s move progress'],
  'tenant_move_tables has one read policy');
select is(
  (select array_agg(schemaname || '.' || tablename || ': ' || policyname order by 1)
   from pg_policies
   where schemaname in ('public', 'private')
     and not (roles <@ array['authenticated', 'supabase_auth_admin']::name[])),
  null,
  'every policy names its role (authenticated or supabase_auth_admin), none applies to public');
select is(
  (select array_agg(policyname order by 1)
   from pg_policies
   where schemaname in ('public', 'private')
     and (coalesce(qual, '') || coalesce(with_check, '')) ~ 'auth\.(uid|jwt|role)\(\)'
     and (coalesce(qual, '') || coalesce(with_check, '')) !~ 'SELECT auth\.(uid|jwt|role)\(\)'),
  null,
  'every auth call in a policy is wrapped as (select auth.…()), evaluated once per statement');

-- Indexes on what policies and lookups filter by ----------------------------------------------------

select is_indexed('public', 'tenant_members', array['user_id', 'tenant_id', 'role'],
  'tenant_members.user_id is indexed (covering tenant_id and role)');
select is_indexed('public', 'audit_log', array['tenant_id', 'id'], 'audit_log.tenant_id is indexed');
select is_indexed('public', 'tenant_moves', array['tenant_id', 'created_at'], 'tenant_moves.tenant_id is indexed');
select is_indexed('public', 'tenant_move_tables', 'tenant_id', 'tenant_move_tables.tenant_id is indexed');

-- Comments: every object says why it exists ---------------------------------------------------------

select is(
  (select array_agg(o order by 1) from (
     select c.oid::regclass::text as o
     from pg_class c
     where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace)
       and c.relkind in ('r', 'p')
       and obj_description(c.oid, 'pg_class') is null
     union all
     select i.indexrelid::regclass::text
     from pg_index i join pg_class c on c.oid = i.indrelid
     where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace)
       and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)
       and obj_description(i.indexrelid, 'pg_class') is null
     union all
     select p.oid::regprocedure::text
     from pg_proc p
     where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
       and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
       and obj_description(p.oid, 'pg_proc') is null
     union all
     select t.tgname::text
     from pg_trigger t join pg_class c on c.oid = t.tgrelid
     where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace)
       and not t.tgisinternal
       and obj_description(t.oid, 'pg_trigger') is null
     union all
     select pol.polname::text
     from pg_policy pol join pg_class c on c.oid = pol.polrelid
     where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace)
       and obj_description(pol.oid, 'pg_policy') is null
   ) missing),
  null,
  'every table, index, function, trigger and policy has a comment');
select isnt(obj_description('private'::regnamespace, 'pg_namespace'), null, 'schema private has a comment');

-- Extension placement -------------------------------------------------------------------------------

select is((select extnamespace::regnamespace::text from pg_extension where extname = 'pgcrypto'), 'extensions',
  'pgcrypto lives in schema extensions');

select * from finish();
rollback;
