-- Account hierarchies and the functions served as columns and relationships (migration account_hierarchy):
-- the parent foreign key stays inside a tenant, and RLS holds inside weighted_amount(), subsidiaries(),
-- primary_contact() and check_opportunity_closable().
--
-- Fixtures (created here, rolled back at the end): tenants A and B, each with a holding, a subsidiary of it
-- and a subsidiary of that (three levels), a primary contact of the holding, an open and a won stage, an
-- open and a closed opportunity. Actors are simulated the way the gateway does it.
begin;
select plan(24);

\ir helpers/actors.psql

create function tests.id(kind text, t text, n int default 1) returns uuid
language sql immutable
as $$ select md5('hierarchy:' || kind || ':' || t || ':' || n)::uuid $$;

-- A row of accounts made up by the caller, not read from the table: what a function receives is not trusted.
create function tests.forged_account(id uuid, tenant_id uuid) returns public.accounts
language sql immutable
as $$ select jsonb_populate_record(null::public.accounts, jsonb_build_object('id', id, 'tenant_id', tenant_id, 'name', 'Forged')) $$;

-- Fixture rows, as the database owner ------------------------------------------------------------------

insert into public.accounts (id, tenant_id, name, parent_account_id)
select tests.id('account', t, n), tests.tenant(t), format('Level %s %s', n, t),
       case when n > 1 then tests.id('account', t, n - 1) end
from unnest(array['A', 'B']) t, generate_series(1, 3) n
order by n;
insert into public.contacts (id, tenant_id, account_id, name, is_primary)
select tests.id('contact', t, n), tests.tenant(t), tests.id('account', t), format('Contact %s %s', n, t), n = 2
from unnest(array['A', 'B']) t, generate_series(1, 2) n;
insert into public.pipeline_stages (id, tenant_id, name, position, probability, is_closed_won)
select tests.id('stage', t, n), tests.tenant(t), (array['Open', 'Won'])[n], n, (array[40, 100])[n], n = 2
from unnest(array['A', 'B']) t, generate_series(1, 2) n;
insert into public.opportunities (id, tenant_id, account_id, stage_id, name, amount, probability)
select tests.id('opportunity', t, n), tests.tenant(t), tests.id('account', t), tests.id('stage', t, n),
       format('Deal %s %s', n, t), 1000, case n when 2 then 100 end
from unnest(array['A', 'B']) t, generate_series(1, 2) n;

-- The parent foreign key ---------------------------------------------------------------------------------

select fk_ok('public', 'accounts', array['tenant_id', 'parent_account_id'],
  'public', 'accounts', array['tenant_id', 'id'], 'the parent is a composite foreign key to accounts itself');
select throws_ok($$update public.accounts set parent_account_id = tests.id('account', 'B') where id = tests.id('account', 'A', 2)$$,
  '23503', null, 'another tenant''s account cannot be a parent, even for the database owner');
select throws_ok($$update public.accounts set parent_account_id = id where id = tests.id('account', 'A')$$,
  '23514', null, 'an account cannot be its own parent');

select tests.act_as('A', 'member');
select throws_ok($$insert into public.accounts (name, parent_account_id) values ('Smuggled', tests.id('account', 'B'))$$,
  '23503', null, 'a member cannot attach an account to another tenant''s account');
select lives_ok($$insert into public.accounts (id, name, parent_account_id) values (tests.id('account', 'A', 4), 'Level 4 A', tests.id('account', 'A', 3))$$,
  'a member attaches a new account below one of the tenant''s');
select is_empty($$select id from public.accounts where parent_account_id = tests.id('account', 'B')$$,
  'the children of another tenant''s account are not visible');

-- subsidiaries() -----------------------------------------------------------------------------------------

select set_eq($$select s.id from public.accounts a, public.subsidiaries(a) s where a.id = tests.id('account', 'A')$$,
  $$select tests.id('account', 'A', n) from generate_series(2, 4) n$$,
  'subsidiaries() lists every account below, at any depth');
select is_empty($$select s.id from public.accounts a, public.subsidiaries(a) s where a.id = tests.id('account', 'A', 4)$$,
  'a leaf has no subsidiaries');
select tests.act_as_owner();
select ok((select count(*) from public.accounts a, public.subsidiaries(a) s where a.id = tests.id('account', 'B')) = 2,
  'the database owner sees tenant B''s subsidiaries');
select tests.act_as('A', 'viewer');
select is_empty($$select s.id from public.subsidiaries((select a from public.accounts a where false)) s$$,
  'subsidiaries() of no account is empty');
select is_empty($$select s.id from public.subsidiaries(tests.forged_account(tests.id('account', 'B'), tests.tenant('B'))) s$$,
  'subsidiaries() of a forged row of tenant B returns nothing to tenant A (RLS inside)');
select is_empty($$select s.id from public.subsidiaries(tests.forged_account(tests.id('account', 'B'), tests.tenant('A'))) s$$,
  'a forged row with tenant A''s id and B''s account finds nothing either');

-- primary_contact() --------------------------------------------------------------------------------------

select results_eq($$select p.id from public.accounts a, public.primary_contact(a) p where a.id = tests.id('account', 'A')$$,
  $$values (tests.id('contact', 'A', 2))$$, 'primary_contact() is the primary contact of the account');
select is_empty($$select p.id from public.accounts a, public.primary_contact(a) p where a.id = tests.id('account', 'A', 2)$$,
  'an account without a primary contact has none');
select is_empty($$select p.id from public.primary_contact(tests.forged_account(tests.id('account', 'B'), tests.tenant('B'))) p$$,
  'primary_contact() of a forged row of tenant B returns nothing to tenant A');
select is((select prorows from pg_proc where oid = 'public.primary_contact(public.accounts)'::regprocedure), 1::real,
  'primary_contact() declares rows 1, so the gateway embeds it as one object');

-- weighted_amount() --------------------------------------------------------------------------------------

select results_eq($$select o.name, public.weighted_amount(o) from public.opportunities o order by o.name$$,
  $$values ('Deal 1 A'::text, 400.00::numeric), ('Deal 2 A'::text, 1000.00::numeric)$$,
  'weighted_amount() weighs by the stage''s probability, or the opportunity''s own');
select is(public.weighted_amount(jsonb_populate_record(null::public.opportunities, jsonb_build_object(
    'id', tests.id('opportunity', 'B'), 'tenant_id', tests.tenant('B'), 'stage_id', tests.id('stage', 'B'),
    'amount', 1000))), null::numeric,
  'weighted_amount() of a forged row cannot read tenant B''s stage probability');

-- check_opportunity_closable() ---------------------------------------------------------------------------

select lives_ok($$select public.check_opportunity_closable(tests.id('opportunity', 'A', 1))$$,
  'an open opportunity is closable');
select throws_ok($$select public.check_opportunity_closable(tests.id('opportunity', 'A', 2))$$, 'P0001', null,
  'a closed opportunity is not');
select throws_ok($$select public.check_opportunity_closable(tests.id('opportunity', 'B', 1))$$, 'PT404', null,
  'another tenant''s opportunity does not exist for the caller');
select is((select provolatile from pg_proc where oid = 'public.check_opportunity_closable(uuid)'::regprocedure), 's'::"char",
  'check_opportunity_closable() is stable: it writes nothing');

-- Delete -------------------------------------------------------------------------------------------------

select tests.act_as('A', 'owner');
select lives_ok($$delete from public.accounts where id = tests.id('account', 'A', 2)$$, 'an owner deletes a middle account');
select results_eq($$select parent_account_id, tenant_id from public.accounts where id = tests.id('account', 'A', 3)$$,
  $$values (null::uuid, tests.tenant('A'))$$,
  'its child becomes top-level and keeps its tenant (on delete set null names the column)');

select tests.act_as_owner();
select * from finish();
rollback;
