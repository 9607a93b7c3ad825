-- Tenant isolation and tenant roles, for every one of the 13 business tables.
--
-- Fixtures (created here, rolled back at the end, so the seed does not matter): tenants A and B, each with
-- one row per table (n = 1) wired along every foreign key, plus rows n = 2 (created by A's member),
-- n = 3 (created by A's owner) and n = 4 (created by A's member) in tenant A for the delete rule.
-- Actors are simulated the way the gateway does it: `role` and `request.jwt.claims` set per transaction.
--
-- Sections per actor inside tests.check_table(): member of A, owner of A, admin of A, viewer of A,
-- a token without tenant claim, anon, service_role; then the database owner checks B was untouched.
-- After the per-table loop: malformed claims, defaults, and the on delete behaviour of the graph.
begin;
select plan(402);

\ir helpers/actors.psql

-- Fixture row n of a table in tenant t.
create function tests.row_id(tbl text, t text, n int default 1) returns uuid
language sql immutable
as $$ select md5('row:' || tbl || ':' || t || ':' || n)::uuid $$;

-- Actors beyond a tenant's member (helpers/actors.psql) -----------------------------------------------

create function tests.act_as_claims(claims jsonb) returns void
language plpgsql
as $$
begin
  perform set_config('role', 'authenticated', true);
  perform set_config('request.jwt.claims', claims::text, true);
end
$$;

create function tests.act_as_role(role_name text) returns void
language plpgsql
as $$
begin
  perform set_config('role', role_name, true);
  perform set_config('request.jwt.claims', jsonb_build_object('role', role_name)::text, true);
end
$$;

-- Fixture rows ----------------------------------------------------------------------------------------

-- The columns a row of each table needs, pointing along every foreign key at tenant t's rows n = 1.
-- Values are awkward on purpose (quotes, unicode, emoji).
create function tests.payload(tbl text, t text, n int) returns jsonb
language sql stable
as $$
  select jsonb_build_object('id', tests.row_id(tbl, t, n), 'tenant_id', tests.tenant(t)) || case tbl
    when 'accounts' then jsonb_build_object('name', format('O''Reilly & "Söhne" %s-%s 🚀', t, n))
    when 'contacts' then jsonb_build_object('name', format('Zoë D''Arcy %s-%s', t, n),
      'account_id', tests.row_id('accounts', t))
    when 'pipeline_stages' then jsonb_build_object('name', format('Stage «%s-%s»', t, n), 'position', n)
    when 'products' then jsonb_build_object('name', format('Widget "%s-%s" ✨', t, n), 'unit_price', 9.99)
    when 'opportunities' then jsonb_build_object('name', format('Deal %s-%s', t, n),
      'account_id', tests.row_id('accounts', t), 'stage_id', tests.row_id('pipeline_stages', t),
      'primary_contact_id', tests.row_id('contacts', t))
    when 'opportunity_line_items' then jsonb_build_object(
      'opportunity_id', tests.row_id('opportunities', t), 'product_id', tests.row_id('products', t),
      'quantity', 2, 'unit_price', 9.99)
    when 'venues' then jsonb_build_object('name', format('Salle des fêtes %s-%s', t, n))
    when 'events' then jsonb_build_object('name', format('Event "%s-%s"', t, n),
      'account_id', tests.row_id('accounts', t), 'opportunity_id', tests.row_id('opportunities', t),
      'venue_id', tests.row_id('venues', t))
    when 'event_attendees' then jsonb_build_object('event_id', tests.row_id('events', t),
      'full_name', format('Łukasz Żółć %s-%s', t, n))
      || case when n = 1 then jsonb_build_object('contact_id', tests.row_id('contacts', t)) else '{}' end
    when 'tasks' then jsonb_build_object('title', format('Follow up %s-%s', t, n),
      'account_id', tests.row_id('accounts', t), 'contact_id', tests.row_id('contacts', t),
      'opportunity_id', tests.row_id('opportunities', t), 'event_id', tests.row_id('events', t))
    when 'notes' then jsonb_build_object('body', format(E'Line one\nLine "two" \\ %s-%s', t, n),
      'account_id', tests.row_id('accounts', t), 'contact_id', tests.row_id('contacts', t),
      'opportunity_id', tests.row_id('opportunities', t), 'event_id', tests.row_id('events', t))
    when 'activities' then jsonb_build_object('activity_type', 'call', 'subject', format('Call %s-%s', t, n),
      'account_id', tests.row_id('accounts', t), 'contact_id', tests.row_id('contacts', t),
      'opportunity_id', tests.row_id('opportunities', t), 'event_id', tests.row_id('events', t))
    when 'documents' then jsonb_build_object('name', format('Proposal %s-%s.pdf', t, n),
      'storage_path', format('%s/%s/%s.pdf', tests.tenant(t), tbl, n),
      'account_id', tests.row_id('accounts', t), 'opportunity_id', tests.row_id('opportunities', t),
      'event_id', tests.row_id('events', t))
  end
$$;

-- Inserts a payload as the current role.
create function tests.insert_row(tbl text, p jsonb) returns void
language plpgsql
as $$
begin
  execute format('insert into public.%1$I (%2$s) select %2$s from jsonb_populate_record(null::public.%1$I, $1)',
    tbl, (select string_agg(quote_ident(k), ', ') from jsonb_object_keys(p) as k))
  using p;
end
$$;

-- The statement that inserts a payload, for throws_ok/lives_ok.
create function tests.insert_sql(tbl text, p jsonb) returns text
language sql immutable
as $$ select format('select tests.insert_row(%L, %L::jsonb)', tbl, p) $$;

-- Foreign keys of a table: the referencing column (besides tenant_id) and the parent table.
create function tests.foreign_keys(tbl text) returns table (col text, parent text)
language sql stable
as $$
  select a.attname::text, c.confrelid::regclass::text
  from pg_constraint c
  join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[2]
  where c.conrelid = format('public.%I', tbl)::regclass and c.contype = 'f'
  order by c.conkey[2]
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;

create temporary table business_tables (position int primary key, name text not null) on commit drop;
insert into business_tables values
  (1, 'accounts'), (2, 'contacts'), (3, 'pipeline_stages'), (4, 'products'), (5, 'opportunities'),
  (6, 'opportunity_line_items'), (7, 'venues'), (8, 'events'), (9, 'event_attendees'), (10, 'tasks'),
  (11, 'notes'), (12, 'activities'), (13, 'documents');

-- As the database owner (RLS does not apply): both tenants' graphs, in foreign key order.
do $$
declare
  tbl text;
begin
  for tbl in select name from business_tables order by position loop
    perform tests.insert_row(tbl, tests.payload(tbl, 'A', 1) || jsonb_build_object('created_by', tests.user_id('A', 'owner')));
    perform tests.insert_row(tbl, tests.payload(tbl, 'B', 1) || jsonb_build_object('created_by', tests.user_id('B', 'owner')));
    perform tests.insert_row(tbl, tests.payload(tbl, 'A', 2) || jsonb_build_object('created_by', tests.user_id('A', 'member')));
    perform tests.insert_row(tbl, tests.payload(tbl, 'A', 3) || jsonb_build_object('created_by', tests.user_id('A', 'owner')));
    perform tests.insert_row(tbl, tests.payload(tbl, 'A', 4) || jsonb_build_object('created_by', tests.user_id('A', 'member')));
  end loop;
end
$$;

-- Every assertion for one table; messages start with the table's name.
create function tests.check_table(tbl text) returns setof text
language plpgsql
as $$
declare
  a1 constant uuid := tests.row_id(tbl, 'A', 1);
  b1 constant uuid := tests.row_id(tbl, 'B', 1);
  fk record;
  first_fk record;
begin
  select * into first_fk from tests.foreign_keys(tbl) limit 1;

  -- Member of tenant A --------------------------------------------------------------------------------
  perform tests.act_as('A', 'member');
  return next isnt_empty(format('select 1 from public.%I where id = %L', tbl, a1),
    format('%s: a member of tenant A reads its own tenant''s row', tbl));
  return next is_empty(format('select 1 from public.%I where id = %L', tbl, b1),
    format('%s: a member of tenant A cannot read tenant B''s row', tbl));
  return next is_empty(format('select 1 from public.%I where tenant_id <> %L', tbl, tests.tenant('A')),
    format('%s: a member of tenant A sees no row of any other tenant (fixtures or seed)', tbl));
  return next is_empty(format('update public.%I set updated_at = now() where id = %L returning id', tbl, b1),
    format('%s: a member of tenant A cannot update tenant B''s row (filtered silently)', tbl));
  return next throws_ok(tests.insert_sql(tbl, tests.payload(tbl, 'B', 9)), '42501', null,
    format('%s: a member of tenant A cannot insert a row for tenant B', tbl));
  return next throws_ok(
    format('update public.%I set tenant_id = %L where id = %L', tbl, tests.tenant('B'), a1), '42501', null,
    format('%s: a member of tenant A cannot move its row to tenant B', tbl));
  for fk in select * from tests.foreign_keys(tbl) loop
    return next throws_ok(
      format('update public.%I set %I = %L where id = %L', tbl, fk.col, tests.row_id(fk.parent, 'B'), a1),
      '23503', null,
      format('%s: a member of tenant A cannot point %s at tenant B''s %s row', tbl, fk.col, fk.parent));
  end loop;
  if first_fk is not null then
    return next throws_ok(
      tests.insert_sql(tbl, tests.payload(tbl, 'A', 8)
        || jsonb_build_object(first_fk.col, tests.row_id(first_fk.parent, 'B'))),
      '23503', null,
      format('%s: a member of tenant A cannot insert a row whose %s is tenant B''s', tbl, first_fk.col));
  end if;
  return next lives_ok(tests.insert_sql(tbl, tests.payload(tbl, 'A', 5)),
    format('%s: a member adds a row to its tenant', tbl));
  return next isnt_empty(format('update public.%I set updated_at = now() where id = %L returning id', tbl, a1),
    format('%s: a member changes a row of its tenant', tbl));
  return next throws_ok(
    format('update public.%I set created_by = %L where id = %L', tbl, tests.user_id('A', 'member'), a1),
    '42501', null, format('%s: a member cannot rewrite who created a row', tbl));

  -- Delete rule: a member deletes only rows it created
  return next is_empty(format('delete from public.%I where id = %L returning id', tbl, tests.row_id(tbl, 'A', 3)),
    format('%s: a member cannot delete a row someone else created', tbl));
  return next isnt_empty(format('delete from public.%I where id = %L returning id', tbl, tests.row_id(tbl, 'A', 2)),
    format('%s: a member deletes a row it created', tbl));

  -- Owner of tenant A ----------------------------------------------------------------------------------
  perform tests.act_as('A', 'owner');
  return next is_empty(format('delete from public.%I where id = %L returning id', tbl, b1),
    format('%s: an owner of tenant A cannot delete tenant B''s row (filtered silently)', tbl));
  return next isnt_empty(format('delete from public.%I where id = %L returning id', tbl, tests.row_id(tbl, 'A', 3)),
    format('%s: an owner deletes any row of its tenant', tbl));

  -- Admin of tenant A ----------------------------------------------------------------------------------
  perform tests.act_as('A', 'admin');
  return next isnt_empty(format('delete from public.%I where id = %L returning id', tbl, tests.row_id(tbl, 'A', 4)),
    format('%s: an admin deletes a row a member created', tbl));

  -- Viewer of tenant A ---------------------------------------------------------------------------------
  perform tests.act_as('A', 'viewer');
  return next isnt_empty(format('select 1 from public.%I where id = %L', tbl, a1),
    format('%s: a viewer reads its tenant''s row', tbl));
  return next throws_ok(tests.insert_sql(tbl, tests.payload(tbl, 'A', 6)), '42501', null,
    format('%s: a viewer cannot insert', tbl));
  return next is_empty(format('update public.%I set updated_at = now() where id = %L returning id', tbl, a1),
    format('%s: a viewer cannot update (filtered silently)', tbl));
  return next is_empty(format('delete from public.%I where id = %L returning id', tbl, a1),
    format('%s: a viewer cannot delete (filtered silently)', tbl));

  -- A token without tenant claim -----------------------------------------------------------------------
  perform tests.act_as_claims(jsonb_build_object('sub', tests.user_id('A', 'member'), 'role', 'authenticated'));
  return next is_empty(format('select 1 from public.%I', tbl),
    format('%s: a token without tenant claim reads nothing', tbl));
  return next throws_ok(tests.insert_sql(tbl, tests.payload(tbl, 'A', 7)), '42501', null,
    format('%s: a token without tenant claim cannot insert', tbl));
  return next is_empty(format('update public.%I set updated_at = now() returning id', tbl),
    format('%s: a token without tenant claim updates nothing', tbl));

  -- anon -----------------------------------------------------------------------------------------------
  perform tests.act_as_role('anon');
  return next throws_ok(format('select 1 from public.%I', tbl), '42501', null,
    format('%s: anon cannot read (no privilege)', tbl));
  return next throws_ok(tests.insert_sql(tbl, tests.payload(tbl, 'A', 7)), '42501', null,
    format('%s: anon cannot insert (no privilege)', tbl));

  -- service_role ---------------------------------------------------------------------------------------
  perform tests.act_as_role('service_role');
  return next is(tests.count_rows(tbl, array[a1, b1]),
    2, format('%s: service_role reads every tenant''s rows', tbl));
  if first_fk is not null then
    return next throws_ok(
      format('update public.%I set %I = %L where id = %L', tbl, first_fk.col, tests.row_id(first_fk.parent, 'B'), a1),
      '23503', null,
      format('%s: even service_role cannot point %s at another tenant''s row', tbl, first_fk.col));
  end if;

  -- Database owner: tenant B was not touched -----------------------------------------------------------
  perform tests.act_as_owner();
  return next is(tests.count_rows(tbl, array[b1]), 1,
    format('%s: tenant B''s row still exists', tbl));
  return next ok(tests.unchanged(tbl, b1),
    format('%s: tenant B''s row was never updated', tbl));
end
$$;

create function tests.count_rows(tbl text, ids uuid[]) returns int
language plpgsql
as $$
declare
  n int;
begin
  execute format('select count(*) from public.%I where id = any ($1)', tbl) into n using ids;
  return n;
end
$$;

create function tests.unchanged(tbl text, row_id uuid) returns boolean
language plpgsql
as $$
declare
  same boolean;
begin
  execute format('select updated_at = created_at from public.%I where id = $1', tbl) into same using row_id;
  return same;
end
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;

-- Per table -------------------------------------------------------------------------------------------

select * from tests.check_table('accounts');
select * from tests.check_table('contacts');
select * from tests.check_table('pipeline_stages');
select * from tests.check_table('products');
select * from tests.check_table('opportunities');
select * from tests.check_table('opportunity_line_items');
select * from tests.check_table('venues');
select * from tests.check_table('events');
select * from tests.check_table('event_attendees');
select * from tests.check_table('tasks');
select * from tests.check_table('notes');
select * from tests.check_table('activities');
select * from tests.check_table('documents');

-- Claims the gateway would never send, and defaults --------------------------------------------------

select tests.act_as_claims(jsonb_build_object('sub', tests.user_id('A', 'member'), 'role', 'authenticated',
  'tenant_id', 'tenant-a', 'tenant_role', 'member'));
select is_empty('select 1 from public.accounts',
  'accounts: a tenant_id claim that is not a uuid reads nothing');

select tests.act_as_claims(jsonb_build_object('sub', tests.user_id('A', 'member'), 'role', 'authenticated',
  'tenant_id', tests.tenant('A'), 'tenant_role', 'superuser'));
select is_empty('select 1 from public.accounts',
  'accounts: an unknown tenant_role reads nothing');
select throws_ok(tests.insert_sql('accounts', tests.payload('accounts', 'A', 10)), '42501', null,
  'accounts: an unknown tenant_role cannot insert');

select tests.act_as_claims(jsonb_build_object('sub', tests.user_id('A', 'member'), 'role', 'authenticated',
  'tenant_id', tests.tenant('A')));
select is_empty('select 1 from public.accounts',
  'accounts: a tenant claim without tenant_role reads nothing');

select tests.act_as('B', 'viewer');
select results_eq('select id from public.accounts',
  array[tests.row_id('accounts', 'B', 1)],
  'accounts: a viewer of tenant B reads exactly tenant B''s rows');

select tests.act_as('A', 'member');
select lives_ok($$insert into public.accounts (id, name) values ('f2000000-0000-4000-8000-000000000001', 'Défault Ltd')$$,
  'accounts: a member inserts without naming tenant_id');
select results_eq(
  $$select tenant_id, created_by from public.accounts where id = 'f2000000-0000-4000-8000-000000000001'$$,
  $$select tests.tenant('A'), tests.user_id('A', 'member')$$,
  'accounts: tenant_id and created_by default to the request''s claims');

select tests.act_as_role('service_role');
select throws_ok($$insert into public.accounts (name) values ('No tenant')$$, '23502', null,
  'accounts: service_role must name the tenant (no claim, tenant_id stays null)');

-- On delete behaviour along the graph (as owner of tenant A) -----------------------------------------

select tests.act_as('A', 'owner');
select throws_ok(format('delete from public.products where id = %L', tests.row_id('products', 'A')), '23503', null,
  'products: a product on a line item cannot be deleted (restrict)');
select throws_ok(format('delete from public.pipeline_stages where id = %L', tests.row_id('pipeline_stages', 'A')),
  '23503', null, 'pipeline_stages: a stage in use cannot be deleted (restrict)');
select lives_ok(format('delete from public.contacts where id = %L', tests.row_id('contacts', 'A')),
  'contacts: deleting a contact referenced by a deal, an attendee and a task succeeds');
select results_eq(
  format($$select primary_contact_id, tenant_id from public.opportunities where id = %L$$, tests.row_id('opportunities', 'A')),
  format($$select null::uuid, %L::uuid$$, tests.tenant('A')),
  'opportunities: the deleted contact is unlinked (set null), tenant_id kept');
select is_empty(format('select 1 from public.notes where id = %L', tests.row_id('notes', 'A')),
  'notes: notes about the deleted contact went with it (cascade)');
select lives_ok(format('delete from public.accounts where id = %L', tests.row_id('accounts', 'A')),
  'accounts: deleting an account succeeds');
select is_empty(format('select 1 from public.opportunity_line_items where id = %L',
    tests.row_id('opportunity_line_items', 'A')),
  'opportunity_line_items: account → opportunity → line item cascades three levels');
select results_eq(
  format($$select account_id is null, tenant_id = %L from public.events where id = %L$$,
    tests.tenant('A'), tests.row_id('events', 'A')),
  $$values (true, true)$$,
  'events: the deleted account is unlinked from its events (set null), tenant_id kept');

select tests.act_as_owner();
select is(tests.count_rows('opportunity_line_items', array[tests.row_id('opportunity_line_items', 'B')]), 1,
  'opportunity_line_items: tenant B''s chain is untouched by tenant A''s deletes');

select * from finish();
rollback;
