-- Hybrid address storage of accounts, contacts and venues: the `address` jsonb and the columns
-- address_line1, address_line2, city, region, postal_code, country stay in sync whichever side is written,
-- and CHECK constraints keep the document's shape and the country code valid.
-- Runs as a member of a fixture tenant (as the gateway would), independent of seed data.
begin;
select plan(60);

create schema tests;
grant usage on schema tests to authenticated;

create function tests.row_id(tbl text, n int) returns uuid
language sql immutable
as $$ select md5('address:' || tbl || ':' || n)::uuid $$;

-- The address columns of a row, as one record for results_eq.
create function tests.columns_sql(tbl text, n int) returns text
language sql immutable
as $$
  select format('select address_line1, address_line2, city, region, postal_code, country from public.%I where id = %L',
    tbl, tests.row_id(tbl, n))
$$;

create function tests.address_of(tbl text, n int) returns jsonb
language plpgsql
as $$
declare
  result jsonb;
begin
  execute format('select address from public.%I where id = $1', tbl) into result using tests.row_id(tbl, n);
  return result;
end
$$;

create function tests.check_addresses(tbl text) returns setof text
language plpgsql
as $fn$
declare
  r1 constant uuid := tests.row_id(tbl, 1);
  r2 constant uuid := tests.row_id(tbl, 2);
  r3 constant uuid := tests.row_id(tbl, 3);
begin
  -- Insert, document only: the columns are filled
  execute format($q$insert into public.%I (id, name, address) values ($1, 'Document only',
    '{"line1": "Bahnhofstraße 1", "line2": "c/o \"Müller\"", "city": "Zürich", "region": "ZH", "postal_code": "8001", "country": "CH"}')$q$,
    tbl) using r1;
  return next results_eq(tests.columns_sql(tbl, 1),
    $$values ('Bahnhofstraße 1', 'c/o "Müller"', 'Zürich', 'ZH', '8001', 'CH')$$,
    format('%s: inserting only the address document fills the columns', tbl));

  -- Insert, columns only: the document is built (without the missing keys)
  execute format($q$insert into public.%I (id, name, address_line1, city, country) values ($1, 'Columns only',
    '丸の内1-1-1', '千代田区', 'JP')$q$, tbl) using r2;
  return next is(tests.address_of(tbl, 2), '{"line1": "丸の内1-1-1", "city": "千代田区", "country": "JP"}'::jsonb,
    format('%s: inserting only the columns builds the document', tbl));

  -- Insert, both: the document wins
  execute format($q$insert into public.%I (id, name, address, city) values ($1, 'Both',
    '{"city": "Lisboa", "country": "PT"}', 'Porto')$q$, tbl) using r3;
  return next results_eq(tests.columns_sql(tbl, 3),
    $$values (null::text, null::text, 'Lisboa', null::text, null::text, 'PT')$$,
    format('%s: inserting both sides keeps the document and overwrites the columns', tbl));

  -- Update, document only
  execute format($q$update public.%I set address = '{"line1": "1 Infinite Loop", "city": "Cupertino", "region": "CA", "country": "US"}'
    where id = $1$q$, tbl) using r1;
  return next results_eq(tests.columns_sql(tbl, 1),
    $$values ('1 Infinite Loop', null::text, 'Cupertino', 'CA', null::text, 'US')$$,
    format('%s: updating the document rewrites every column (absent keys become null)', tbl));

  -- Update, one column only
  execute format($q$update public.%I set city = 'San José' where id = $1$q$, tbl) using r1;
  return next is(tests.address_of(tbl, 1),
    '{"line1": "1 Infinite Loop", "city": "San José", "region": "CA", "country": "US"}'::jsonb,
    format('%s: updating one column rebuilds the document, other keys kept', tbl));

  -- Update, both at once: the document wins
  execute format($q$update public.%I set address = '{"city": "Oslo", "country": "NO"}', city = 'Bergen' where id = $1$q$,
    tbl) using r1;
  return next is(tests.address_of(tbl, 1), '{"city": "Oslo", "country": "NO"}'::jsonb,
    format('%s: updating both sides at once keeps the document', tbl));
  return next is(tests.columns_city(tbl, 1), 'Oslo',
    format('%s: updating both sides at once overwrites the columns from the document', tbl));

  -- Update of an unrelated column leaves the address alone
  execute format($q$update public.%I set name = 'Renamed' where id = $1$q$, tbl) using r2;
  return next is(tests.address_of(tbl, 2), '{"line1": "丸の内1-1-1", "city": "千代田区", "country": "JP"}'::jsonb,
    format('%s: updating another column leaves the address as it was', tbl));

  -- Clearing either side clears the other
  execute format($q$update public.%I set address = null where id = $1$q$, tbl) using r1;
  return next results_eq(tests.columns_sql(tbl, 1),
    $$values (null::text, null::text, null::text, null::text, null::text, null::text)$$,
    format('%s: clearing the document clears the columns', tbl));
  execute format($q$update public.%I set address_line1 = null, city = null, country = null where id = $1$q$, tbl) using r2;
  return next is(tests.address_of(tbl, 2), null,
    format('%s: clearing every column clears the document', tbl));
  execute format($q$update public.%I set address = '{}' where id = $1$q$, tbl) using r3;
  return next is(tests.address_of(tbl, 3), null,
    format('%s: an empty document is stored as null', tbl));

  -- Shape and country code
  return next throws_ok(format($q$update public.%I set address = '{"street": "Main St 1"}' where id = %L$q$, tbl, r1),
    '23514', null, format('%s: an unknown key in the document is rejected', tbl));
  return next throws_ok(format($q$update public.%I set address = '["Main St 1"]' where id = %L$q$, tbl, r1),
    '23514', null, format('%s: a document that is not an object is rejected', tbl));
  return next throws_ok(format($q$update public.%I set address = '{"postal_code": 8001}' where id = %L$q$, tbl, r1),
    '23514', null, format('%s: a non-string value in the document is rejected', tbl));
  return next throws_ok(format($q$update public.%I set address = '{"country": "ch"}' where id = %L$q$, tbl, r1),
    '23514', null, format('%s: a lower-case country in the document is rejected', tbl));
  return next throws_ok(format($q$update public.%I set country = 'USA' where id = %L$q$, tbl, r1),
    '23514', null, format('%s: a three-letter country column is rejected', tbl));
  return next lives_ok(format($q$update public.%I set country = 'DE', postal_code = '10115' where id = %L$q$, tbl, r1),
    format('%s: a valid country code is accepted', tbl));
  return next is(tests.address_of(tbl, 1), '{"country": "DE", "postal_code": "10115"}'::jsonb,
    format('%s: columns written after clearing build a new document', tbl));
end
$fn$;

create function tests.columns_city(tbl text, n int) returns text
language plpgsql
as $$
declare
  result text;
begin
  execute format('select city from public.%I where id = $1', tbl) into result using tests.row_id(tbl, n);
  return result;
end
$$;

grant execute on all functions in schema tests to authenticated;

-- A member of a fixture tenant ------------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims to
  '{"sub": "f1000000-0000-4000-8000-000000000001", "role": "authenticated", "tenant_id": "f0000000-0000-4000-8000-00000000000a", "tenant_role": "member"}';

select * from tests.check_addresses('accounts');
select * from tests.check_addresses('contacts');
select * from tests.check_addresses('venues');

-- The same rules hold for the owner role, which bypasses RLS but not triggers or constraints -------------
reset role;
insert into public.venues (id, tenant_id, name, address_line1, country)
values ('f3000000-0000-4000-8000-000000000001', 'f0000000-0000-4000-8000-00000000000a', 'Owner-made', 'Quai 1', 'FR');
select is((select address from public.venues where id = 'f3000000-0000-4000-8000-000000000001'),
  '{"line1": "Quai 1", "country": "FR"}'::jsonb, 'venues: rows written by the owner role are synced too');
select throws_ok($$insert into public.accounts (tenant_id, name, address) values
    ('f0000000-0000-4000-8000-00000000000a', 'Bad', '{"country": "fr"}')$$,
  '23514', null, 'accounts: the owner role cannot store an invalid country either');
select is((select count(*)::int from public.accounts where tenant_id = 'f0000000-0000-4000-8000-00000000000a'), 3,
  'accounts: exactly the three fixture rows were written');
select is((select count(*)::int from public.contacts where tenant_id = 'f0000000-0000-4000-8000-00000000000a'
           and created_by = 'f1000000-0000-4000-8000-000000000001'), 3,
  'contacts: the fixture rows carry the member as created_by');
select is((select count(*)::int from public.venues where tenant_id = 'f0000000-0000-4000-8000-00000000000a'), 4,
  'venues: three fixture rows plus the owner-made one');
select ok((select bool_and(updated_at >= created_at) from public.venues where tenant_id = 'f0000000-0000-4000-8000-00000000000a'),
  'venues: updated_at is maintained');

select * from finish();
rollback;
