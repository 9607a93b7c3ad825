-- Tenant database, part 3: sales — pipeline stages, products, opportunities and their line items.
--
-- Conventions of every business table (see 20261126140100_private.sql for the helpers):
-- - tenant_id defaults to the request's tenant_id claim; `unique (tenant_id, id)` is the target of composite
--   foreign keys `(tenant_id, x_id) references x (tenant_id, id)`, so no row can point at another tenant's.
--   Optional links use `on delete set null (x_id)` (PostgreSQL 15) so tenant_id is never nulled.
-- - The unique (tenant_id, id) index doubles as the tenant_id index (leading column); each foreign key has
--   a (tenant_id, x_id) index, or a unique constraint that starts with those columns.
-- - Grants: authenticated gets select/insert/update/delete and RLS decides the rows; service_role gets all
--   and bypasses RLS (BYPASSRLS); anon gets nothing, so an anonymous request fails with 42501 instead of
--   relying on the absence of policies. No API role may TRUNCATE.
-- - RLS, one policy per command, all `to authenticated`, tenant from `(select private.request_tenant_id())`:
--   every tenant role reads; owner, admin and member insert and update; delete: owners and admins delete
--   any row, members only rows they created (created_by, fixed after insert for API users), viewers none.
--   A request without a tenant claim or a known tenant_role matches no policy: it reads and writes nothing.

-- Types -------------------------------------------------------------------------------------------
-- None: statuses and kinds are text with CHECK constraints (a new value is one ordinary migration).

-- Tables ------------------------------------------------------------------------------------------
create table public.pipeline_stages (
  id             uuid primary key default gen_random_uuid(),
  tenant_id      uuid not null default private.request_tenant_id(),
  name           text not null check (btrim(name) <> ''),
  position       integer not null check (position >= 0),
  probability    numeric(5, 2) not null default 0 check (probability between 0 and 100),
  is_closed_won  boolean not null default false,
  is_closed_lost boolean not null default false,
  color          text check (color ~ '^#[0-9a-fA-F]{6}$'),
  description    text,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  created_by     uuid default auth.uid(),
  constraint pipeline_stages_tenant_id_id_key unique (tenant_id, id),
  constraint pipeline_stages_tenant_id_name_key unique (tenant_id, name),
  constraint pipeline_stages_won_or_lost check (not (is_closed_won and is_closed_lost))
);
comment on table public.pipeline_stages is
  'The tenant''s sales pipeline: ordered stages an opportunity moves through';
comment on column public.pipeline_stages.id is
  'Primary key; stable across tenant moves (rows keep their ids)';
comment on column public.pipeline_stages.tenant_id is
  'Owning tenant; defaults to the request''s tenant_id claim, and RLS pins every read and write to it';
comment on column public.pipeline_stages.name is 'Stage name; unique per tenant';
comment on column public.pipeline_stages.position is 'Order of the stage in the pipeline (ascending)';
comment on column public.pipeline_stages.probability is
  'Default win probability of opportunities in this stage, in percent';
comment on column public.pipeline_stages.is_closed_won is 'Opportunities here are won';
comment on column public.pipeline_stages.is_closed_lost is 'Opportunities here are lost';
comment on column public.pipeline_stages.color is 'Display colour (#rrggbb)';
comment on column public.pipeline_stages.description is 'What it takes to reach this stage';
comment on column public.pipeline_stages.created_at is 'When the row was created';
comment on column public.pipeline_stages.updated_at is
  'When the row last changed (set by the touch_row trigger)';
comment on column public.pipeline_stages.created_by is
  'User (auth uid of the application project) who created the row; decides what a member may delete. No '
  'foreign key: users live in the application database';
comment on constraint pipeline_stages_tenant_id_id_key on public.pipeline_stages is
  'Target of the composite foreign keys that keep references inside one tenant';
comment on constraint pipeline_stages_tenant_id_name_key on public.pipeline_stages is
  'Stage names are unique within a tenant';
comment on constraint pipeline_stages_won_or_lost on public.pipeline_stages is
  'A stage cannot be both won and lost';

create table public.products (
  id          uuid primary key default gen_random_uuid(),
  tenant_id   uuid not null default private.request_tenant_id(),
  name        text not null check (btrim(name) <> ''),
  sku         text,
  description text,
  category    text,
  unit        text not null default 'each',
  unit_price  numeric(12, 2) not null default 0 check (unit_price >= 0),
  currency    text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  tax_rate    numeric(5, 2) not null default 0 check (tax_rate between 0 and 100),
  is_active   boolean not null default true,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  created_by  uuid default auth.uid(),
  constraint products_tenant_id_id_key unique (tenant_id, id),
  constraint products_tenant_id_sku_key unique (tenant_id, sku)
);
comment on table public.products is 'The tenant''s catalogue of products and services sold on opportunities';
comment on column public.products.id is 'Primary key; stable across tenant moves (rows keep their ids)';
comment on column public.products.tenant_id is
  'Owning tenant; defaults to the request''s tenant_id claim, and RLS pins every read and write to it';
comment on column public.products.name is 'Product name';
comment on column public.products.sku is 'Stock keeping unit; unique per tenant when present';
comment on column public.products.description is 'Description shown on quotes';
comment on column public.products.category is 'Product category';
comment on column public.products.unit is 'Unit of measure (each, hour, seat, day)';
comment on column public.products.unit_price is 'List price per unit';
comment on column public.products.currency is 'ISO 4217 currency code of the amounts';
comment on column public.products.tax_rate is 'Tax rate in percent';
comment on column public.products.is_active is
  'Inactive products stay on old line items but are not sold any more';
comment on column public.products.created_at is 'When the row was created';
comment on column public.products.updated_at is 'When the row last changed (set by the touch_row trigger)';
comment on column public.products.created_by is
  'User (auth uid of the application project) who created the row; decides what a member may delete. No '
  'foreign key: users live in the application database';
comment on constraint products_tenant_id_id_key on public.products is
  'Target of the composite foreign keys that keep references inside one tenant';
comment on constraint products_tenant_id_sku_key on public.products is 'SKUs are unique within a tenant';

create table public.opportunities (
  id                  uuid primary key default gen_random_uuid(),
  tenant_id           uuid not null default private.request_tenant_id(),
  account_id          uuid not null,
  stage_id            uuid not null,
  primary_contact_id  uuid,
  name                text not null check (btrim(name) <> ''),
  amount              numeric(14, 2) check (amount >= 0),
  currency            text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  probability         numeric(5, 2) check (probability between 0 and 100),
  expected_close_date date,
  closed_at           timestamptz,
  lead_source         text,
  next_step           text,
  loss_reason         text,
  owner_id            uuid,
  description         text,
  tags                text[] not null default '{}',
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now(),
  created_by          uuid default auth.uid(),
  constraint opportunities_tenant_id_id_key unique (tenant_id, id),
  constraint opportunities_account_id_fkey foreign key (tenant_id, account_id)
    references public.accounts (tenant_id, id) on delete cascade,
  constraint opportunities_stage_id_fkey foreign key (tenant_id, stage_id)
    references public.pipeline_stages (tenant_id, id) on delete restrict,
  constraint opportunities_primary_contact_id_fkey foreign key (tenant_id, primary_contact_id)
    references public.contacts (tenant_id, id) on delete set null (primary_contact_id)
);
comment on table public.opportunities is
  'Potential deals with an account, moving through the pipeline stages';
comment on column public.opportunities.id is 'Primary key; stable across tenant moves (rows keep their ids)';
comment on column public.opportunities.tenant_id is
  'Owning tenant; defaults to the request''s tenant_id claim, and RLS pins every read and write to it';
comment on column public.opportunities.account_id is 'The account the deal is with';
comment on column public.opportunities.stage_id is 'Current pipeline stage';
comment on column public.opportunities.primary_contact_id is 'Main person on the customer side';
comment on column public.opportunities.name is 'Deal name';
comment on column public.opportunities.amount is 'Expected deal value, in currency';
comment on column public.opportunities.currency is 'ISO 4217 currency code of the amounts';
comment on column public.opportunities.probability is
  'Win probability in percent; null means the stage''s default';
comment on column public.opportunities.expected_close_date is 'When the deal is expected to close';
comment on column public.opportunities.closed_at is 'When the deal was won or lost';
comment on column public.opportunities.lead_source is 'Where the lead came from (web, referral, event, …)';
comment on column public.opportunities.next_step is 'The agreed next step';
comment on column public.opportunities.loss_reason is 'Why the deal was lost';
comment on column public.opportunities.owner_id is 'Sales owner';
comment on column public.opportunities.description is 'Free-form description';
comment on column public.opportunities.tags is 'Labels for filtering';
comment on column public.opportunities.created_at is 'When the row was created';
comment on column public.opportunities.updated_at is
  'When the row last changed (set by the touch_row trigger)';
comment on column public.opportunities.created_by is
  'User (auth uid of the application project) who created the row; decides what a member may delete. No '
  'foreign key: users live in the application database';
comment on constraint opportunities_tenant_id_id_key on public.opportunities is
  'Target of the composite foreign keys that keep references inside one tenant';
comment on constraint opportunities_account_id_fkey on public.opportunities is
  'Composite with tenant_id, so it can only point at a row of the same tenant. An opportunity belongs to '
  'its account and goes with it';
comment on constraint opportunities_stage_id_fkey on public.opportunities is
  'Composite with tenant_id, so it can only point at a row of the same tenant. A stage in use cannot be '
  'deleted: move its opportunities first';
comment on constraint opportunities_primary_contact_id_fkey on public.opportunities is
  'Composite with tenant_id, so it can only point at a row of the same tenant. Deleting the contact clears '
  'the link, the deal stays';

create table public.opportunity_line_items (
  id               uuid primary key default gen_random_uuid(),
  tenant_id        uuid not null default private.request_tenant_id(),
  opportunity_id   uuid not null,
  product_id       uuid not null,
  position         integer not null default 0 check (position >= 0),
  description      text,
  quantity         numeric(12, 2) not null default 1 check (quantity > 0),
  unit_price       numeric(12, 2) not null check (unit_price >= 0),
  discount_percent numeric(5, 2) not null default 0 check (discount_percent between 0 and 100),
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  created_by       uuid default auth.uid(),
  constraint opportunity_line_items_tenant_id_id_key unique (tenant_id, id),
  constraint opportunity_line_items_opportunity_id_fkey foreign key (tenant_id, opportunity_id)
    references public.opportunities (tenant_id, id) on delete cascade,
  constraint opportunity_line_items_product_id_fkey foreign key (tenant_id, product_id)
    references public.products (tenant_id, id) on delete restrict
);
comment on table public.opportunity_line_items is
  'Products quoted on an opportunity, with quantity and price';
comment on column public.opportunity_line_items.id is
  'Primary key; stable across tenant moves (rows keep their ids)';
comment on column public.opportunity_line_items.tenant_id is
  'Owning tenant; defaults to the request''s tenant_id claim, and RLS pins every read and write to it';
comment on column public.opportunity_line_items.opportunity_id is 'The opportunity quoted';
comment on column public.opportunity_line_items.product_id is 'The product quoted';
comment on column public.opportunity_line_items.position is 'Order of the line on the quote';
comment on column public.opportunity_line_items.description is
  'Line text, defaults to the product''s description in the app';
comment on column public.opportunity_line_items.quantity is 'Quantity in the product''s unit';
comment on column public.opportunity_line_items.unit_price is
  'Agreed price per unit (may differ from the list price)';
comment on column public.opportunity_line_items.discount_percent is 'Discount on the line, in percent';
comment on column public.opportunity_line_items.created_at is 'When the row was created';
comment on column public.opportunity_line_items.updated_at is
  'When the row last changed (set by the touch_row trigger)';
comment on column public.opportunity_line_items.created_by is
  'User (auth uid of the application project) who created the row; decides what a member may delete. No '
  'foreign key: users live in the application database';
comment on constraint opportunity_line_items_tenant_id_id_key on public.opportunity_line_items is
  'Target of the composite foreign keys that keep references inside one tenant';
comment on constraint opportunity_line_items_opportunity_id_fkey on public.opportunity_line_items is
  'Composite with tenant_id, so it can only point at a row of the same tenant. Line items belong to their '
  'opportunity and go with it';
comment on constraint opportunity_line_items_product_id_fkey on public.opportunity_line_items is
  'Composite with tenant_id, so it can only point at a row of the same tenant. A product on a quote cannot '
  'be deleted: deactivate it instead (is_active)';

-- Indexes -----------------------------------------------------------------------------------------
create index pipeline_stages_tenant_id_created_by_idx
  on public.pipeline_stages (tenant_id, created_by);
comment on index public.pipeline_stages_tenant_id_created_by_idx is
  'The member delete policy filters on created_by; also serves "rows I created"';

create index products_tenant_id_created_by_idx
  on public.products (tenant_id, created_by);
comment on index public.products_tenant_id_created_by_idx is
  'The member delete policy filters on created_by; also serves "rows I created"';

create index opportunities_tenant_id_account_id_idx
  on public.opportunities (tenant_id, account_id);
comment on index public.opportunities_tenant_id_account_id_idx is
  'Serves opportunities_account_id_fkey (deleting from accounts looks up referencing opportunities here) '
  'and joins from accounts';
create index opportunities_tenant_id_stage_id_idx
  on public.opportunities (tenant_id, stage_id);
comment on index public.opportunities_tenant_id_stage_id_idx is
  'Serves opportunities_stage_id_fkey (deleting from pipeline_stages looks up referencing opportunities '
  'here) and joins from pipeline_stages';
create index opportunities_tenant_id_primary_contact_id_idx
  on public.opportunities (tenant_id, primary_contact_id);
comment on index public.opportunities_tenant_id_primary_contact_id_idx is
  'Serves opportunities_primary_contact_id_fkey (deleting from contacts looks up referencing opportunities '
  'here) and joins from contacts';
create index opportunities_tenant_id_created_by_idx
  on public.opportunities (tenant_id, created_by);
comment on index public.opportunities_tenant_id_created_by_idx is
  'The member delete policy filters on created_by; also serves "rows I created"';

create index opportunity_line_items_tenant_id_opportunity_id_idx
  on public.opportunity_line_items (tenant_id, opportunity_id);
comment on index public.opportunity_line_items_tenant_id_opportunity_id_idx is
  'Serves opportunity_line_items_opportunity_id_fkey (deleting from opportunities looks up referencing '
  'opportunity_line_items here) and joins from opportunities';
create index opportunity_line_items_tenant_id_product_id_idx
  on public.opportunity_line_items (tenant_id, product_id);
comment on index public.opportunity_line_items_tenant_id_product_id_idx is
  'Serves opportunity_line_items_product_id_fkey (deleting from products looks up referencing '
  'opportunity_line_items here) and joins from products';
create index opportunity_line_items_tenant_id_created_by_idx
  on public.opportunity_line_items (tenant_id, created_by);
comment on index public.opportunity_line_items_tenant_id_created_by_idx is
  'The member delete policy filters on created_by; also serves "rows I created"';

-- Grants ------------------------------------------------------------------------------------------
revoke all on table public.pipeline_stages from anon, authenticated;
grant select, insert, update, delete on table public.pipeline_stages to authenticated;
grant all on table public.pipeline_stages to service_role;

revoke all on table public.products from anon, authenticated;
grant select, insert, update, delete on table public.products to authenticated;
grant all on table public.products to service_role;

revoke all on table public.opportunities from anon, authenticated;
grant select, insert, update, delete on table public.opportunities to authenticated;
grant all on table public.opportunities to service_role;

revoke all on table public.opportunity_line_items from anon, authenticated;
grant select, insert, update, delete on table public.opportunity_line_items to authenticated;
grant all on table public.opportunity_line_items to service_role;

-- Triggers ----------------------------------------------------------------------------------------
create trigger touch_row before update on public.pipeline_stages
  for each row execute function private.touch_row();
comment on trigger touch_row on public.pipeline_stages is
  'Stamps updated_at; keeps created_by fixed for API users';

create trigger touch_row before update on public.products
  for each row execute function private.touch_row();
comment on trigger touch_row on public.products is 'Stamps updated_at; keeps created_by fixed for API users';

create trigger touch_row before update on public.opportunities
  for each row execute function private.touch_row();
comment on trigger touch_row on public.opportunities is
  'Stamps updated_at; keeps created_by fixed for API users';

create trigger touch_row before update on public.opportunity_line_items
  for each row execute function private.touch_row();
comment on trigger touch_row on public.opportunity_line_items is
  'Stamps updated_at; keeps created_by fixed for API users';

-- RLS enable --------------------------------------------------------------------------------------
alter table public.pipeline_stages enable row level security;
alter table public.products enable row level security;
alter table public.opportunities enable row level security;
alter table public.opportunity_line_items enable row level security;

-- Policies ----------------------------------------------------------------------------------------
create policy "Users of a tenant can read its pipeline stages"
  on public.pipeline_stages
  for select
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) is not null
  );
comment on policy "Users of a tenant can read its pipeline stages"
  on public.pipeline_stages is
  'Every tenant role (owner, admin, member, viewer) reads the rows of the tenant in its claims, and only '
  'those';
create policy "Owners, admins and members can add pipeline stages to their tenant"
  on public.pipeline_stages
  for insert
  to authenticated
  with check (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin', 'member')
  );
comment on policy "Owners, admins and members can add pipeline stages to their tenant"
  on public.pipeline_stages is
  'Viewers cannot write; nobody can insert a row for another tenant (42501)';
create policy "Owners, admins and members can change their tenant's pipeline stages"
  on public.pipeline_stages
  for update
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin', 'member')
  )
  with check (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin', 'member')
  );
comment on policy "Owners, admins and members can change their tenant's pipeline stages"
  on public.pipeline_stages is
  'The with check stops moving a row to another tenant by updating tenant_id (42501)';
create policy "Owners and admins can delete their tenant's pipeline stages"
  on public.pipeline_stages
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin')
  );
comment on policy "Owners and admins can delete their tenant's pipeline stages"
  on public.pipeline_stages is
  'Delete rule, part 1: owners and admins delete any row of their tenant';
create policy "Members can delete pipeline stages they created"
  on public.pipeline_stages
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) = 'member'
    and created_by = (select auth.uid())
  );
comment on policy "Members can delete pipeline stages they created"
  on public.pipeline_stages is
  'Delete rule, part 2: members delete only rows they created; viewers delete nothing';

create policy "Users of a tenant can read its products"
  on public.products
  for select
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) is not null
  );
comment on policy "Users of a tenant can read its products"
  on public.products is
  'Every tenant role (owner, admin, member, viewer) reads the rows of the tenant in its claims, and only '
  'those';
create policy "Owners, admins and members can add products to their tenant"
  on public.products
  for insert
  to authenticated
  with check (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin', 'member')
  );
comment on policy "Owners, admins and members can add products to their tenant"
  on public.products is
  'Viewers cannot write; nobody can insert a row for another tenant (42501)';
create policy "Owners, admins and members can change their tenant's products"
  on public.products
  for update
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin', 'member')
  )
  with check (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin', 'member')
  );
comment on policy "Owners, admins and members can change their tenant's products"
  on public.products is
  'The with check stops moving a row to another tenant by updating tenant_id (42501)';
create policy "Owners and admins can delete their tenant's products"
  on public.products
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin')
  );
comment on policy "Owners and admins can delete their tenant's products"
  on public.products is
  'Delete rule, part 1: owners and admins delete any row of their tenant';
create policy "Members can delete products they created"
  on public.products
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) = 'member'
    and created_by = (select auth.uid())
  );
comment on policy "Members can delete products they created"
  on public.products is
  'Delete rule, part 2: members delete only rows they created; viewers delete nothing';

create policy "Users of a tenant can read its opportunities"
  on public.opportunities
  for select
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) is not null
  );
comment on policy "Users of a tenant can read its opportunities"
  on public.opportunities is
  'Every tenant role (owner, admin, member, viewer) reads the rows of the tenant in its claims, and only '
  'those';
create policy "Owners, admins and members can add opportunities to their tenant"
  on public.opportunities
  for insert
  to authenticated
  with check (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin', 'member')
  );
comment on policy "Owners, admins and members can add opportunities to their tenant"
  on public.opportunities is
  'Viewers cannot write; nobody can insert a row for another tenant (42501)';
create policy "Owners, admins and members can change their tenant's opportunities"
  on public.opportunities
  for update
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin', 'member')
  )
  with check (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin', 'member')
  );
comment on policy "Owners, admins and members can change their tenant's opportunities"
  on public.opportunities is
  'The with check stops moving a row to another tenant by updating tenant_id (42501)';
create policy "Owners and admins can delete their tenant's opportunities"
  on public.opportunities
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin')
  );
comment on policy "Owners and admins can delete their tenant's opportunities"
  on public.opportunities is
  'Delete rule, part 1: owners and admins delete any row of their tenant';
create policy "Members can delete opportunities they created"
  on public.opportunities
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) = 'member'
    and created_by = (select auth.uid())
  );
comment on policy "Members can delete opportunities they created"
  on public.opportunities is
  'Delete rule, part 2: members delete only rows they created; viewers delete nothing';

create policy "Users of a tenant can read its opportunity line items"
  on public.opportunity_line_items
  for select
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) is not null
  );
comment on policy "Users of a tenant can read its opportunity line items"
  on public.opportunity_line_items is
  'Every tenant role (owner, admin, member, viewer) reads the rows of the tenant in its claims, and only '
  'those';
create policy "Owners, admins and members can add opportunity line items to their tenant"
  on public.opportunity_line_items
  for insert
  to authenticated
  with check (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin', 'member')
  );
comment on policy "Owners, admins and members can add opportunity line items to their tenant"
  on public.opportunity_line_items is
  'Viewers cannot write; nobody can insert a row for another tenant (42501)';
create policy "Owners, admins and members can change their tenant's opportunity line items"
  on public.opportunity_line_items
  for update
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin', 'member')
  )
  with check (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin', 'member')
  );
comment on policy "Owners, admins and members can change their tenant's opportunity line items"
  on public.opportunity_line_items is
  'The with check stops moving a row to another tenant by updating tenant_id (42501)';
create policy "Owners and admins can delete their tenant's opportunity line items"
  on public.opportunity_line_items
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin')
  );
comment on policy "Owners and admins can delete their tenant's opportunity line items"
  on public.opportunity_line_items is
  'Delete rule, part 1: owners and admins delete any row of their tenant';
create policy "Members can delete opportunity line items they created"
  on public.opportunity_line_items
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) = 'member'
    and created_by = (select auth.uid())
  );
comment on policy "Members can delete opportunity line items they created"
  on public.opportunity_line_items is
  'Delete rule, part 2: members delete only rows they created; viewers delete nothing';

-- Functions ---------------------------------------------------------------------------------------
-- None: the trigger functions and claim helpers live in 20261126140100_private.sql.

-- Schema version ----------------------------------------------------------------------------------
insert into private.schema_info (version, name) values ('20261126140300', 'sales');
