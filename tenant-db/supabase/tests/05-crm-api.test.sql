-- The tenant schema's API beyond tables (migration crm_api): the functions apps call with db.rpc() and the
-- security_invoker views they read. RLS must hold inside every function and through every view.
--
-- Fixtures (created here, rolled back at the end): tenants A and B, each with an account, two contacts
-- (one marked do-not-contact), an open, a won and a lost pipeline stage, a product and an open opportunity
-- with one line item. Actors are simulated the way the gateway does it.
begin;
select plan(36);

\ir helpers/actors.psql

create function tests.id(kind text, t text, n int default 1) returns uuid
language sql immutable
as $$ select md5('crm_api:' || kind || ':' || t || ':' || n)::uuid $$;

-- Fixture rows, as the database owner ------------------------------------------------------------------

insert into public.accounts (id, tenant_id, name)
select tests.id('account', t), tests.tenant(t), 'Account ' || t from unnest(array['A', 'B']) t;
insert into public.contacts (id, tenant_id, account_id, name, email, job_title, do_not_contact)
select tests.id('contact', t, n), tests.tenant(t), tests.id('account', t),
       case n when 1 then 'Ada Lovelace ' || t else 'Quiet Person ' || t end,
       'contact' || n || '@' || lower(t) || '.test', 'Analyst', n = 2
from unnest(array['A', 'B']) t, generate_series(1, 2) n;
insert into public.pipeline_stages (id, tenant_id, name, position, probability, is_closed_won, is_closed_lost)
select tests.id('stage', t, n), tests.tenant(t), (array['Open', 'Won', 'Lost'])[n], n, (array[40, 100, 0])[n],
       n = 2, n = 3
from unnest(array['A', 'B']) t, generate_series(1, 3) n;
insert into public.products (id, tenant_id, name, unit_price)
select tests.id('product', t), tests.tenant(t), 'Widget ' || t, 10 from unnest(array['A', 'B']) t;
insert into public.opportunities (id, tenant_id, account_id, stage_id, name, amount)
select tests.id('opportunity', t), tests.tenant(t), tests.id('account', t), tests.id('stage', t, 1),
       'Deal ' || t, 1000 from unnest(array['A', 'B']) t;
insert into public.opportunity_line_items (tenant_id, opportunity_id, product_id, quantity, unit_price)
select tests.tenant(t), tests.id('opportunity', t), tests.id('product', t), 2, 500 from unnest(array['A', 'B']) t;

-- Shape --------------------------------------------------------------------------------------------------

select is_empty($$
    select p.oid::regprocedure::text from pg_proc p
    where p.pronamespace = 'public'::regnamespace and p.prosecdef
  $$, 'no function of public is security definer: RLS applies inside every one');
select is_empty($$
    select p.oid::regprocedure::text from pg_proc p
    where p.pronamespace = 'public'::regnamespace
      and not coalesce('search_path=""' = any (p.proconfig), false)
  $$, 'every function of public pins search_path to empty');
select is_empty($$
    select p.oid::regprocedure::text from pg_proc p
    where p.pronamespace = 'public'::regnamespace and has_function_privilege('anon', p.oid, 'execute')
  $$, 'anon can execute no function of public');
select ok(has_function_privilege('authenticated', 'public.close_opportunity(uuid, boolean, jsonb)', 'execute'),
  'authenticated can execute close_opportunity()');
select is_empty($$
    select c.relname from pg_class c
    where c.relnamespace = 'public'::regnamespace and c.relkind = 'v'
      and not coalesce('security_invoker=true' = any (c.reloptions), false)
  $$, 'every view of public is security_invoker');
select ok(not has_table_privilege('anon', 'public.open_opportunities', 'select'), 'anon cannot read open_opportunities');

-- pipeline_summary() -------------------------------------------------------------------------------------

select tests.act_as('A', 'viewer');
select set_eq($$select stage_id from public.pipeline_summary()$$,
  $$select tests.id('stage', 'A', n) from generate_series(1, 3) n$$,
  'pipeline_summary() lists the caller''s stages only');
select results_eq($$select opportunity_count, total_amount, weighted_amount from public.pipeline_summary() where stage_position = 1$$,
  $$values (1::bigint, 1000::numeric, 400.00::numeric)$$,
  'pipeline_summary() counts and weighs only the caller''s opportunities');
select tests.act_as('B', 'member');
select set_eq($$select stage_id from public.pipeline_summary()$$,
  $$select tests.id('stage', 'B', n) from generate_series(1, 3) n$$,
  'another tenant''s pipeline_summary() is its own');

-- search_contacts(), contact_count() ---------------------------------------------------------------------

select tests.act_as('A', 'viewer');
select results_eq($$select id from public.search_contacts('lovelace')$$,
  $$values (tests.id('contact', 'A', 1))$$, 'search_contacts() finds the caller''s contact');
select is_empty($$select id from public.search_contacts('Lovelace B')$$,
  'search_contacts() never finds another tenant''s contact');
select is((select count(*) from public.search_contacts('analyst', max_results => 1)), 1::bigint,
  'search_contacts() returns at most max_results rows');
select is(public.contact_count(), 2::bigint, 'contact_count() counts the caller''s contacts');
select is(public.contact_count(account_id => tests.id('account', 'B')), 0::bigint,
  'contact_count(account_id) of another tenant''s account is 0');
select tests.act_as_owner();
select is(public.contact_count(), (select count(*) from public.contacts),
  'the database owner (no RLS) counts every contact: the functions add no filter of their own');

-- Views --------------------------------------------------------------------------------------------------

select tests.act_as('A', 'member');
select results_eq($$select id, account_name, stage_name from public.open_opportunities$$,
  $$values (tests.id('opportunity', 'A'), 'Account A', 'Open')$$,
  'open_opportunities shows the caller''s open opportunities with names');
select results_eq($$select id from public.reachable_contacts$$,
  $$values (tests.id('contact', 'A', 1))$$, 'reachable_contacts leaves out do-not-contact and other tenants');
select is((select tenant_id from public.reachable_contacts where id = tests.id('contact', 'A', 1)),
  tests.tenant('A'), 'reachable_contacts rows carry the tenant');
select lives_ok($$insert into public.reachable_contacts (id, name) values (tests.id('contact', 'A', 3), 'Through the view')$$,
  'a member inserts through reachable_contacts');
select is((select tenant_id from public.contacts where id = tests.id('contact', 'A', 3)), tests.tenant('A'),
  'the row inserted through the view lands in contacts with the caller''s tenant');
select is_empty($$update public.reachable_contacts set name = 'Taken' where id = tests.id('contact', 'B', 1) returning id$$,
  'an update through the view cannot reach another tenant''s contact');
select throws_ok($$insert into public.reachable_contacts (name, tenant_id) values ('Smuggled', tests.tenant('B'))$$,
  '42501', null, 'an insert through the view cannot write another tenant''s row');
select tests.act_as('A', 'viewer');
select throws_ok($$insert into public.reachable_contacts (name) values ('Viewer')$$, '42501', null,
  'a viewer cannot insert through the view');
select tests.act_as('B', 'member');
select results_eq($$select id from public.open_opportunities$$,
  $$values (tests.id('opportunity', 'B'))$$, 'another tenant sees its own open opportunities only');

-- close_opportunity() ------------------------------------------------------------------------------------

select tests.act_as('A', 'viewer');
select throws_ok($$select public.close_opportunity(tests.id('opportunity', 'A'), true)$$, '42501', null,
  'a viewer cannot close an opportunity');
select tests.act_as('A', 'member');
select throws_ok($$select public.close_opportunity(tests.id('opportunity', 'B'), true)$$, 'PT404', null,
  'another tenant''s opportunity cannot be closed (it is not visible)');
select throws_ok($$select public.close_opportunity(tests.id('opportunity', 'A'), true, '[]')$$, '42501', null,
  'a member cannot replace line items created by someone else');
select tests.act_as('A', 'owner');
select is((public.close_opportunity(tests.id('opportunity', 'A'), true,
    jsonb_build_array(jsonb_build_object('product_id', tests.id('product', 'A'), 'quantity', 3, 'unit_price', 100,
      'discount_percent', 10)))).stage_id,
  tests.id('stage', 'A', 2), 'close_opportunity() moves the opportunity to the won stage');
select results_eq($$select quantity, unit_price, discount_percent from public.opportunity_line_items where opportunity_id = tests.id('opportunity', 'A')$$,
  $$values (3.00::numeric, 100.00::numeric, 10.00::numeric)$$, 'close_opportunity() replaces the line items');
select results_eq($$select amount, probability, closed_at is not null from public.opportunities where id = tests.id('opportunity', 'A')$$,
  $$values (270.00::numeric, 100.00::numeric, true)$$, 'the amount comes from the line items, probability 100');
select results_eq($$select subject, tenant_id from public.activities where opportunity_id = tests.id('opportunity', 'A')$$,
  $$values ('Opportunity won: Deal A'::text, tests.tenant('A'))$$, 'an activity records the close in the same transaction');
select is_empty($$select id from public.open_opportunities$$, 'the closed opportunity leaves open_opportunities');
select throws_ok($$select public.close_opportunity(tests.id('opportunity', 'A'), true, '[{"product_id": "00000000-0000-4000-8000-000000000000", "unit_price": 1}]')$$,
  '23503', null, 'a line item for a product the tenant does not have fails the whole close');
select tests.act_as_owner();
select results_eq($$select amount from public.opportunities where id = tests.id('opportunity', 'B')$$,
  $$values (1000.00::numeric)$$, 'tenant B''s opportunity is untouched');

-- import_contacts(jsonb) ---------------------------------------------------------------------------------

select tests.act_as('B', 'member');
select results_eq($$select tenant_id, name from public.import_contacts('[{"name": "Imported One"}, {"name": "Imported Two"}]') order by name$$,
  $$values (tests.tenant('B'), 'Imported One'::text), (tests.tenant('B'), 'Imported Two'::text)$$,
  'import_contacts() inserts the caller''s contacts from a JSON array');
select tests.act_as('B', 'viewer');
select throws_ok($$select * from public.import_contacts('{"name": "Nope"}')$$, '42501', null,
  'a viewer cannot import contacts');

select tests.act_as_owner();
select * from finish();
rollback;
