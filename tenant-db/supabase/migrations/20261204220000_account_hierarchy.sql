-- Account hierarchies, and the functions PostgREST serves as columns and relationships of a table.
--
-- - accounts.parent_account_id: a company's parent company, a foreign key of accounts to itself. Composite
--   like every other (tenant_id, parent_account_id) → accounts (tenant_id, id), so no account can have
--   another tenant's account as parent. Embedded as PostgREST embeds self-relationships:
--   `accounts?select=name,parent_account_id(name)` (the parent) and `accounts?select=name,accounts(name)`
--   or `accounts!parent_account_id(name)` (the children).
-- - Computed field: public.weighted_amount(opportunities), read as `opportunities?select=weighted_amount`.
-- - Computed relationships: public.subsidiaries(accounts) (every account below one, at any depth) and
--   public.primary_contact(accounts) (`rows 1`: embedded as one object).
-- - public.check_opportunity_closable(uuid): a void guard an app calls before offering "close"; it raises
--   what close_opportunity() would, without writing.
--
-- Every function runs as the caller (security invoker) with an empty search_path, so RLS decides what it
-- sees; stable, so the gateway runs it read-only on every method.

-- Types ----------------------------------------------------------------------------------------------
-- None.

-- Tables ---------------------------------------------------------------------------------------------

alter table public.accounts
  add column parent_account_id uuid,
  add constraint accounts_parent_account_id_fkey foreign key (tenant_id, parent_account_id)
    references public.accounts (tenant_id, id) on delete set null (parent_account_id),
  add constraint accounts_parent_is_another_account check (parent_account_id <> id);
comment on column public.accounts.parent_account_id is
  'The parent company (a group''s holding, a customer''s headquarters), an account of the same tenant; '
  'null for a top-level account';
comment on constraint accounts_parent_account_id_fkey on public.accounts is
  'Parent company of the same tenant; deleting the parent makes its children top-level accounts';
comment on constraint accounts_parent_is_another_account on public.accounts is
  'An account is not its own parent (longer cycles are the app''s to avoid; subsidiaries() stops at them)';

-- Indexes --------------------------------------------------------------------------------------------

create index accounts_tenant_id_parent_account_id_idx on public.accounts (tenant_id, parent_account_id);
comment on index public.accounts_tenant_id_parent_account_id_idx is
  'Serves the parent foreign key (children of an account, set null on delete) and subsidiaries()';

-- Functions ------------------------------------------------------------------------------------------

create function public.weighted_amount(public.opportunities)
returns numeric
language sql
stable
security invoker
set search_path = ''
as $$
  select round($1.amount * coalesce($1.probability, s.probability) / 100, 2)
  from (select) as one
  left join public.pipeline_stages s on s.tenant_id = $1.tenant_id and s.id = $1.stage_id
$$;
comment on function public.weighted_amount(public.opportunities) is
  'Computed field: the amount weighted by the probability (the opportunity''s own, else its stage''s); '
  'null without an amount. Read as opportunities?select=name,weighted_amount';

create function public.subsidiaries(public.accounts)
returns setof public.accounts
language sql
stable
security invoker
set search_path = ''
as $$
  with recursive below (id) as (
    select a.id from public.accounts a where a.tenant_id = $1.tenant_id and a.parent_account_id = $1.id
    union
    select a.id from public.accounts a join below on a.parent_account_id = below.id
    where a.tenant_id = $1.tenant_id
  )
  select a.* from public.accounts a join below on a.id = below.id where a.tenant_id = $1.tenant_id
$$;
comment on function public.subsidiaries(public.accounts) is
  'Computed relationship: every account below this one, at any depth (children, their children, …), '
  'each once. Embedded as accounts?select=name,subsidiaries(name)';

create function public.primary_contact(public.accounts)
returns setof public.contacts
rows 1
language sql
stable
security invoker
set search_path = ''
as $$
  select c.* from public.contacts c
  where c.tenant_id = $1.tenant_id and c.account_id = $1.id and c.is_primary
  order by c.created_at, c.id
  limit 1
$$;
comment on function public.primary_contact(public.accounts) is
  'Computed relationship to one row (rows 1): the account''s primary contact, the earliest if several. '
  'Embedded as an object: accounts?select=name,primary_contact(name,email)';

create function public.check_opportunity_closable(opportunity_id uuid)
returns void
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  if not exists (select from public.opportunities o where o.id = check_opportunity_closable.opportunity_id) then
    raise exception 'Cannot close opportunity: % does not exist', check_opportunity_closable.opportunity_id
      using errcode = 'PT404', hint = 'Check the id: opportunities of other tenants are not visible';
  end if;
  if exists (
    select from public.opportunities o
    join public.pipeline_stages s on s.tenant_id = o.tenant_id and s.id = o.stage_id
    where o.id = check_opportunity_closable.opportunity_id and (s.is_closed_won or s.is_closed_lost)
  ) then
    raise exception 'Cannot close opportunity: % is already closed', check_opportunity_closable.opportunity_id
      using errcode = 'P0001', hint = 'Reopen it by moving it to an open stage first';
  end if;
end
$$;
comment on function public.check_opportunity_closable(uuid) is
  'Raises when close_opportunity() could not close this opportunity (not visible: PT404; already closed: '
  'P0001); returns nothing otherwise. Stable and security invoker: RLS decides what "visible" is';

-- Grants ---------------------------------------------------------------------------------------------

revoke execute on function public.weighted_amount(public.opportunities), public.subsidiaries(public.accounts),
  public.primary_contact(public.accounts), public.check_opportunity_closable(uuid)
  from public, anon;
grant execute on function public.weighted_amount(public.opportunities), public.subsidiaries(public.accounts),
  public.primary_contact(public.accounts), public.check_opportunity_closable(uuid)
  to authenticated, service_role;

insert into private.schema_info (version, name) values ('20261204220000', 'account_hierarchy');
