-- The claim helpers every policy calls, written so PostgreSQL inlines them into the query.
--
-- Every RLS policy filters on (select private.request_tenant_id()) and checks
-- (select private.request_tenant_role()). As first written (a FROM clause, `set search_path = ''`) they
-- could not be inlined: each statement ran both bodies through the SQL-function executor, which plans
-- them again on every call, about 0.25 ms per statement on the reference machine, more than the
-- primary-key lookup they guard. Inlined, they are a few expressions evaluated once per statement.
--
-- Inlining needs a body of one SELECT without FROM and no SET clause, so these three do not pin
-- search_path (the one exception among the private functions; tests/01-schema.test.sql holds both). They
-- stay safe under any search_path: every function, type and operator in them is schema-qualified
-- (`operator(pg_catalog.->>)`), so nothing resolves through the caller's path. No NULLIF, IN or CASE x
-- WHEN: those look `=` up through the path.

-- Types ----------------------------------------------------------------------------------------------
-- None.

-- Tables ---------------------------------------------------------------------------------------------
-- None.

-- Functions ------------------------------------------------------------------------------------------

create or replace function private.request_claims()
returns jsonb
language sql
stable
as $$
  select case
    when pg_catalog.length(pg_catalog.current_setting('request.jwt.claims', true)) operator(pg_catalog.>) 0
    then pg_catalog.current_setting('request.jwt.claims', true)::pg_catalog.jsonb
    else '{}'::pg_catalog.jsonb
  end
$$;
comment on function private.request_claims() is
  'The claims of the current request (request.jwt.claims), or an empty object outside a request. '
  'Inlined by PostgreSQL: one SELECT, no SET clause, every name schema-qualified';

create or replace function private.request_tenant_id()
returns uuid
language sql
stable
as $$
  select case
    when (private.request_claims() operator(pg_catalog.->>) 'tenant_id')
      operator(pg_catalog.~*) '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    then (private.request_claims() operator(pg_catalog.->>) 'tenant_id')::pg_catalog.uuid
  end
$$;
comment on function private.request_tenant_id() is
  'The tenant of the current request (claim tenant_id), or null when absent or not a uuid; '
  'default of every tenant_id column and the tenant filter of every policy. Inlined by PostgreSQL';

create or replace function private.request_tenant_role()
returns text
language sql
stable
as $$
  select case
    when (private.request_claims() operator(pg_catalog.->>) 'tenant_role')
      operator(pg_catalog.=) any ('{owner,admin,member,viewer}'::pg_catalog.text[])
    then private.request_claims() operator(pg_catalog.->>) 'tenant_role'
  end
$$;
comment on function private.request_tenant_role() is
  'The requester''s role in the tenant (claim tenant_role: owner, admin, member, viewer), or null when '
  'absent or unknown; policies decide what each role may do. Inlined by PostgreSQL';

insert into private.schema_info (version, name) values ('20261204230000', 'inline_claim_helpers');
