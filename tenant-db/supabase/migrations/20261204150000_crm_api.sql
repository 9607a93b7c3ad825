-- The tenant schema's API beyond tables: functions an app calls with `db.rpc(…)` and views it reads with
-- `db.from(…)`, served by the gateway as PostgREST serves them.
--
-- Every function and view here runs as the caller (`security invoker`, views with
-- `security_invoker = true`), so the tables' RLS decides what each tenant role sees and may write: a
-- function is never a way around a policy. Volatile functions write, and the gateway runs them read-write
-- only on POST; stable ones run read-only on every method.

-- Types ----------------------------------------------------------------------------------------------
-- None.

-- Tables ---------------------------------------------------------------------------------------------
-- None: this migration adds views and functions over the existing tables.

create view public.open_opportunities
with (security_invoker = true)
as
select
  o.id,
  o.tenant_id,
  o.account_id,
  o.stage_id,
  o.primary_contact_id,
  o.name,
  o.amount,
  o.currency,
  o.probability,
  o.expected_close_date,
  o.owner_id,
  a.name as account_name,
  s.name as stage_name,
  s.position as stage_position
from public.opportunities o
join public.accounts a on a.tenant_id = o.tenant_id and a.id = o.account_id
join public.pipeline_stages s on s.tenant_id = o.tenant_id and s.id = o.stage_id
where not s.is_closed_won and not s.is_closed_lost;
comment on view public.open_opportunities is
  'Opportunities still in the pipeline, with their account''s and stage''s names. security_invoker: the '
  'caller''s RLS on opportunities, accounts and pipeline_stages applies, so a tenant sees only its own';

create view public.reachable_contacts
with (security_invoker = true)
as
select id, tenant_id, account_id, name, first_name, last_name, job_title, email, phone, is_primary, tags
from public.contacts
where not do_not_contact;
comment on view public.reachable_contacts is
  'Contacts that may be contacted. A simple view, so PostgreSQL can write through it (insert, update, '
  'delete land in contacts); security_invoker: contacts'' RLS applies to reads and writes';

-- Indexes --------------------------------------------------------------------------------------------

create index contacts_search_idx on public.contacts using gin (
  to_tsvector('simple', coalesce(name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(job_title, ''))
);
comment on index public.contacts_search_idx is 'Serves public.search_contacts(): full-text search of contacts';

-- Grants ---------------------------------------------------------------------------------------------

revoke all on public.open_opportunities, public.reachable_contacts from anon;
grant select on public.open_opportunities to authenticated, service_role;
grant select, insert, update, delete on public.reachable_contacts to authenticated, service_role;

-- Functions ------------------------------------------------------------------------------------------

create function public.pipeline_summary()
returns table (
  stage_id uuid,
  stage_name text,
  stage_position integer,
  opportunity_count bigint,
  total_amount numeric,
  weighted_amount numeric
)
language sql
stable
security invoker
set search_path = ''
as $$
  select
    s.id,
    s.name,
    s.position,
    count(o.id),
    coalesce(sum(o.amount), 0),
    coalesce(round(sum(o.amount * coalesce(o.probability, s.probability) / 100), 2), 0)
  from public.pipeline_stages s
  left join public.opportunities o on o.tenant_id = s.tenant_id and o.stage_id = s.id
  group by s.id, s.name, s.position
  order by s.position, s.name
$$;
comment on function public.pipeline_summary() is
  'The sales pipeline per stage: how many opportunities, their amount and the amount weighted by '
  'probability. Stable and security invoker: RLS limits it to the caller''s tenant';

create function public.search_contacts(query text, max_results integer default 20)
returns setof public.contacts
language sql
stable
security invoker
set search_path = ''
as $$
  select c.*
  from public.contacts c
  where to_tsvector('simple', coalesce(c.name, '') || ' ' || coalesce(c.email, '') || ' ' || coalesce(c.job_title, ''))
        @@ pg_catalog.websearch_to_tsquery('simple', query)
  order by pg_catalog.ts_rank(
    to_tsvector('simple', coalesce(c.name, '') || ' ' || coalesce(c.email, '') || ' ' || coalesce(c.job_title, '')),
    pg_catalog.websearch_to_tsquery('simple', query)
  ) desc, c.name, c.id
  limit greatest(least(max_results, 100), 0)
$$;
comment on function public.search_contacts(text, integer) is
  'Full-text search of the caller''s contacts by name, email and job title (web search syntax), best '
  'matches first, at most max_results (≤ 100). Returns contacts rows, so callers can embed from them';

create function public.contact_count()
returns bigint
language sql
stable
security invoker
set search_path = ''
as $$
  select count(*) from public.contacts
$$;
comment on function public.contact_count() is 'How many contacts the caller''s tenant has';

create function public.contact_count(account_id uuid)
returns bigint
language sql
stable
security invoker
set search_path = ''
as $$
  select count(*) from public.contacts c where c.account_id = contact_count.account_id
$$;
comment on function public.contact_count(uuid) is
  'How many contacts an account of the caller''s tenant has: an overload told apart by its argument name';

create function public.close_opportunity(opportunity_id uuid, won boolean, line_items jsonb default null)
returns public.opportunities
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  closing public.opportunities;
  stage public.pipeline_stages;
begin
  select * into closing from public.opportunities o where o.id = close_opportunity.opportunity_id;
  if not found then
    raise exception 'Cannot close opportunity: % does not exist', close_opportunity.opportunity_id
      using errcode = 'PT404', hint = 'Check the id: opportunities of other tenants are not visible';
  end if;
  select * into stage from public.pipeline_stages s
  where (won and s.is_closed_won) or (not won and s.is_closed_lost)
  order by s.position
  limit 1;
  if not found then
    raise exception 'Cannot close opportunity: the pipeline has no closed-% stage', case when won then 'won' else 'lost' end
      using errcode = 'P0001', hint = 'Add a pipeline stage with is_closed_won or is_closed_lost';
  end if;
  if line_items is not null then
    delete from public.opportunity_line_items li where li.opportunity_id = closing.id;
    -- RLS lets a member delete only the line items they created: replace all of them or none.
    if exists (select from public.opportunity_line_items li where li.opportunity_id = closing.id) then
      raise exception 'Cannot close opportunity: not allowed to replace line items created by others'
        using errcode = '42501';
    end if;
    insert into public.opportunity_line_items (opportunity_id, product_id, position, quantity, unit_price, discount_percent)
    select closing.id, item.product_id, (item.ord - 1)::integer, coalesce(item.quantity, 1), item.unit_price,
           coalesce(item.discount_percent, 0)
    from rows from (pg_catalog.jsonb_to_recordset(line_items)
      as (product_id uuid, quantity numeric, unit_price numeric, discount_percent numeric)) with ordinality
      as item(product_id, quantity, unit_price, discount_percent, ord);
  end if;
  update public.opportunities o
  set stage_id = stage.id,
      closed_at = pg_catalog.now(),
      probability = case when won then 100 else 0 end,
      amount = coalesce((
        select round(sum(li.quantity * li.unit_price * (1 - li.discount_percent / 100)), 2)
        from public.opportunity_line_items li
        where li.tenant_id = o.tenant_id and li.opportunity_id = o.id
      ), o.amount)
  where o.id = closing.id
  returning o.* into closing;
  if not found then
    raise exception 'Cannot close opportunity: not allowed for your role'
      using errcode = '42501';
  end if;
  insert into public.activities (activity_type, subject, opportunity_id, account_id)
  values ('other', case when won then 'Opportunity won: ' else 'Opportunity lost: ' end || closing.name,
          closing.id, closing.account_id);
  return closing;
end
$$;
comment on function public.close_opportunity(uuid, boolean, jsonb) is
  'Closes an opportunity as won or lost in one transaction: optionally replaces its line items '
  '([{product_id, quantity, unit_price, discount_percent}]), moves it to the first closed stage, sets its '
  'amount from the line items, and records an activity. Security invoker: RLS decides (viewers cannot)';

create function public.import_contacts(jsonb)
returns setof public.contacts
language sql
volatile
security invoker
set search_path = ''
as $$
  insert into public.contacts (name, first_name, last_name, email, job_title, account_id)
  select c.name, c.first_name, c.last_name, c.email, c.job_title, c.account_id
  from pg_catalog.jsonb_to_recordset(case pg_catalog.jsonb_typeof($1) when 'array' then $1 else pg_catalog.jsonb_build_array($1) end)
    as c(name text, first_name text, last_name text, email text, job_title text, account_id uuid)
  returning *
$$;
comment on function public.import_contacts(jsonb) is
  'Inserts the contacts of a JSON array (or one object) and returns them: a function of one unnamed jsonb '
  'argument, called with the whole request body. Security invoker: contacts'' RLS applies';

revoke execute on function public.pipeline_summary(), public.search_contacts(text, integer),
  public.contact_count(), public.contact_count(uuid), public.close_opportunity(uuid, boolean, jsonb),
  public.import_contacts(jsonb)
  from public, anon;
grant execute on function public.pipeline_summary(), public.search_contacts(text, integer),
  public.contact_count(), public.contact_count(uuid), public.close_opportunity(uuid, boolean, jsonb),
  public.import_contacts(jsonb)
  to authenticated, service_role;

insert into private.schema_info (version, name) values ('20261204150000', 'crm_api');
