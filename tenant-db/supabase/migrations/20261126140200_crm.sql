-- Tenant database, part 2: CRM core — accounts and the contacts who work at them.
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
create table public.accounts (
  id             uuid primary key default gen_random_uuid(),
  tenant_id      uuid not null default private.request_tenant_id(),
  name           text not null check (btrim(name) <> ''),
  legal_name     text,
  account_type   text not null default 'prospect'
    check (account_type in ('prospect', 'customer', 'partner', 'vendor', 'competitor', 'other')),
  industry       text,
  website        text,
  domain         text,
  phone          text,
  email          text,
  employee_count integer check (employee_count >= 0),
  annual_revenue numeric(16, 2) check (annual_revenue >= 0),
  currency       text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  owner_id       uuid,
  description    text,
  tags           text[] not null default '{}',
  is_active      boolean not null default true,
  address        jsonb,
  address_line1  text,
  address_line2  text,
  city           text,
  region         text,
  postal_code    text,
  country        text,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  created_by     uuid default auth.uid(),
  constraint accounts_tenant_id_id_key unique (tenant_id, id),
  constraint accounts_address_shape check (address is null or (
    jsonb_typeof(address) = 'object'
    and address - array['line1', 'line2', 'city', 'region', 'postal_code', 'country'] = '{}'::jsonb
    and not jsonb_path_exists(address, '$.* ? (@.type() != "string")')
    and coalesce(address ->> 'country' ~ '^[A-Z]{2}$', true)
  )),
  constraint accounts_country_code check (country ~ '^[A-Z]{2}$')
);
comment on table public.accounts is
  'Companies the tenant does business with (customers, prospects, partners); the root of the business graph';
comment on column public.accounts.id is 'Primary key; stable across tenant moves (rows keep their ids)';
comment on column public.accounts.tenant_id is
  'Owning tenant; defaults to the request''s tenant_id claim, and RLS pins every read and write to it';
comment on column public.accounts.name is 'Display name of the company';
comment on column public.accounts.legal_name is
  'Registered legal name, when it differs from the display name';
comment on column public.accounts.account_type is 'Relationship to the tenant';
comment on column public.accounts.industry is 'Industry, free text';
comment on column public.accounts.website is 'Public website URL';
comment on column public.accounts.domain is 'Email/web domain, used to match contacts to the account';
comment on column public.accounts.phone is 'Main phone number';
comment on column public.accounts.email is 'General contact email';
comment on column public.accounts.employee_count is 'Approximate head count';
comment on column public.accounts.annual_revenue is 'Approximate yearly revenue, in currency';
comment on column public.accounts.currency is 'ISO 4217 currency code of the amounts';
comment on column public.accounts.owner_id is
  'User responsible for the account (auth uid in the application project)';
comment on column public.accounts.description is 'Free-form description';
comment on column public.accounts.tags is 'Labels for filtering';
comment on column public.accounts.is_active is 'False when the relationship has ended; kept for history';
comment on column public.accounts.address is
  'Address as one document {line1, line2, city, region, postal_code, country}; kept in sync with the '
  'address_* columns by trigger';
comment on column public.accounts.address_line1 is 'Street address, first line (synced with address.line1)';
comment on column public.accounts.address_line2 is 'Street address, second line (synced with address.line2)';
comment on column public.accounts.city is 'City (synced with address.city)';
comment on column public.accounts.region is 'State, province or region (synced with address.region)';
comment on column public.accounts.postal_code is 'Postal or ZIP code (synced with address.postal_code)';
comment on column public.accounts.country is
  'ISO 3166-1 alpha-2 country code, upper case (synced with address.country)';
comment on column public.accounts.created_at is 'When the row was created';
comment on column public.accounts.updated_at is 'When the row last changed (set by the touch_row trigger)';
comment on column public.accounts.created_by is
  'User (auth uid of the application project) who created the row; decides what a member may delete. No '
  'foreign key: users live in the application database';
comment on constraint accounts_tenant_id_id_key on public.accounts is
  'Target of the composite foreign keys that keep references inside one tenant';
comment on constraint accounts_address_shape on public.accounts is
  'The address document is an object of known keys with string values; checked on the document too, so it '
  'holds even when triggers are bypassed';
comment on constraint accounts_country_code on public.accounts is
  'Country is an ISO 3166-1 alpha-2 code in upper case';

create table public.contacts (
  id                 uuid primary key default gen_random_uuid(),
  tenant_id          uuid not null default private.request_tenant_id(),
  account_id         uuid,
  name               text not null check (btrim(name) <> ''),
  first_name         text,
  last_name          text,
  job_title          text,
  department         text,
  email              text check (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
  phone              text,
  mobile             text,
  linkedin_url       text,
  preferred_language text check (preferred_language ~ '^[a-z]{2}(-[A-Z]{2})?$'),
  is_primary         boolean not null default false,
  do_not_contact     boolean not null default false,
  owner_id           uuid,
  tags               text[] not null default '{}',
  address            jsonb,
  address_line1      text,
  address_line2      text,
  city               text,
  region             text,
  postal_code        text,
  country            text,
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  created_by         uuid default auth.uid(),
  constraint contacts_tenant_id_id_key unique (tenant_id, id),
  constraint contacts_tenant_id_email_key unique (tenant_id, email),
  constraint contacts_address_shape check (address is null or (
    jsonb_typeof(address) = 'object'
    and address - array['line1', 'line2', 'city', 'region', 'postal_code', 'country'] = '{}'::jsonb
    and not jsonb_path_exists(address, '$.* ? (@.type() != "string")')
    and coalesce(address ->> 'country' ~ '^[A-Z]{2}$', true)
  )),
  constraint contacts_country_code check (country ~ '^[A-Z]{2}$'),
  constraint contacts_account_id_fkey foreign key (tenant_id, account_id)
    references public.accounts (tenant_id, id) on delete set null (account_id)
);
comment on table public.contacts is 'People the tenant works with, usually at an account';
comment on column public.contacts.id is 'Primary key; stable across tenant moves (rows keep their ids)';
comment on column public.contacts.tenant_id is
  'Owning tenant; defaults to the request''s tenant_id claim, and RLS pins every read and write to it';
comment on column public.contacts.account_id is 'The company the person works for, if any';
comment on column public.contacts.name is 'Full name as the person writes it';
comment on column public.contacts.first_name is 'Given name, for salutations';
comment on column public.contacts.last_name is 'Family name, for sorting';
comment on column public.contacts.job_title is 'Job title';
comment on column public.contacts.department is 'Department';
comment on column public.contacts.email is 'Email address; unique per tenant';
comment on column public.contacts.phone is 'Office phone';
comment on column public.contacts.mobile is 'Mobile phone';
comment on column public.contacts.linkedin_url is 'LinkedIn profile URL';
comment on column public.contacts.preferred_language is 'BCP 47 language tag (e.g. de, pt-BR)';
comment on column public.contacts.is_primary is 'Main contact of its account';
comment on column public.contacts.do_not_contact is 'The person opted out of outreach';
comment on column public.contacts.owner_id is 'User responsible for the relationship';
comment on column public.contacts.tags is 'Labels for filtering';
comment on column public.contacts.address is
  'Address as one document {line1, line2, city, region, postal_code, country}; kept in sync with the '
  'address_* columns by trigger';
comment on column public.contacts.address_line1 is 'Street address, first line (synced with address.line1)';
comment on column public.contacts.address_line2 is 'Street address, second line (synced with address.line2)';
comment on column public.contacts.city is 'City (synced with address.city)';
comment on column public.contacts.region is 'State, province or region (synced with address.region)';
comment on column public.contacts.postal_code is 'Postal or ZIP code (synced with address.postal_code)';
comment on column public.contacts.country is
  'ISO 3166-1 alpha-2 country code, upper case (synced with address.country)';
comment on column public.contacts.created_at is 'When the row was created';
comment on column public.contacts.updated_at is 'When the row last changed (set by the touch_row trigger)';
comment on column public.contacts.created_by is
  'User (auth uid of the application project) who created the row; decides what a member may delete. No '
  'foreign key: users live in the application database';
comment on constraint contacts_tenant_id_id_key on public.contacts is
  'Target of the composite foreign keys that keep references inside one tenant';
comment on constraint contacts_tenant_id_email_key on public.contacts is
  'One contact per email address within a tenant; also the on_conflict target for upserts by email';
comment on constraint contacts_address_shape on public.contacts is
  'The address document is an object of known keys with string values; checked on the document too, so it '
  'holds even when triggers are bypassed';
comment on constraint contacts_country_code on public.contacts is
  'Country is an ISO 3166-1 alpha-2 code in upper case';
comment on constraint contacts_account_id_fkey on public.contacts is
  'Composite with tenant_id, so it can only point at a row of the same tenant. A contact outlives its '
  'account: deleting the account clears the link, not the person';

-- Indexes -----------------------------------------------------------------------------------------
create index accounts_tenant_id_created_by_idx
  on public.accounts (tenant_id, created_by);
comment on index public.accounts_tenant_id_created_by_idx is
  'The member delete policy filters on created_by; also serves "rows I created"';

create index contacts_tenant_id_account_id_idx
  on public.contacts (tenant_id, account_id);
comment on index public.contacts_tenant_id_account_id_idx is
  'Serves contacts_account_id_fkey (deleting from accounts looks up referencing contacts here) and joins '
  'from accounts';
create index contacts_tenant_id_created_by_idx
  on public.contacts (tenant_id, created_by);
comment on index public.contacts_tenant_id_created_by_idx is
  'The member delete policy filters on created_by; also serves "rows I created"';

-- Grants ------------------------------------------------------------------------------------------
revoke all on table public.accounts from anon, authenticated;
grant select, insert, update, delete on table public.accounts to authenticated;
grant all on table public.accounts to service_role;

revoke all on table public.contacts from anon, authenticated;
grant select, insert, update, delete on table public.contacts to authenticated;
grant all on table public.contacts to service_role;

-- Triggers ----------------------------------------------------------------------------------------
create trigger touch_row before update on public.accounts
  for each row execute function private.touch_row();
comment on trigger touch_row on public.accounts is 'Stamps updated_at; keeps created_by fixed for API users';
create trigger sync_address before insert or update on public.accounts
  for each row execute function private.sync_address();
comment on trigger sync_address on public.accounts is
  'Keeps address (jsonb) and the address_* columns in sync';

create trigger touch_row before update on public.contacts
  for each row execute function private.touch_row();
comment on trigger touch_row on public.contacts is 'Stamps updated_at; keeps created_by fixed for API users';
create trigger sync_address before insert or update on public.contacts
  for each row execute function private.sync_address();
comment on trigger sync_address on public.contacts is
  'Keeps address (jsonb) and the address_* columns in sync';

-- RLS enable --------------------------------------------------------------------------------------
alter table public.accounts enable row level security;
alter table public.contacts enable row level security;

-- Policies ----------------------------------------------------------------------------------------
create policy "Users of a tenant can read its accounts"
  on public.accounts
  for select
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) is not null
  );
comment on policy "Users of a tenant can read its accounts"
  on public.accounts is
  'Every tenant role (owner, admin, member, viewer) reads the rows of the tenant in its claims, and only '
  'those';
create policy "Owners, admins and members can add accounts to their tenant"
  on public.accounts
  for insert
  to authenticated
  with check (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin', 'member')
  );
comment on policy "Owners, admins and members can add accounts to their tenant"
  on public.accounts is
  'Viewers cannot write; nobody can insert a row for another tenant (42501)';
create policy "Owners, admins and members can change their tenant's accounts"
  on public.accounts
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
comment on policy "Owners, admins and members can change their tenant's accounts"
  on public.accounts is
  'The with check stops moving a row to another tenant by updating tenant_id (42501)';
create policy "Owners and admins can delete their tenant's accounts"
  on public.accounts
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin')
  );
comment on policy "Owners and admins can delete their tenant's accounts"
  on public.accounts is
  'Delete rule, part 1: owners and admins delete any row of their tenant';
create policy "Members can delete accounts they created"
  on public.accounts
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) = 'member'
    and created_by = (select auth.uid())
  );
comment on policy "Members can delete accounts they created"
  on public.accounts is
  'Delete rule, part 2: members delete only rows they created; viewers delete nothing';

create policy "Users of a tenant can read its contacts"
  on public.contacts
  for select
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) is not null
  );
comment on policy "Users of a tenant can read its contacts"
  on public.contacts is
  'Every tenant role (owner, admin, member, viewer) reads the rows of the tenant in its claims, and only '
  'those';
create policy "Owners, admins and members can add contacts to their tenant"
  on public.contacts
  for insert
  to authenticated
  with check (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin', 'member')
  );
comment on policy "Owners, admins and members can add contacts to their tenant"
  on public.contacts is
  'Viewers cannot write; nobody can insert a row for another tenant (42501)';
create policy "Owners, admins and members can change their tenant's contacts"
  on public.contacts
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
comment on policy "Owners, admins and members can change their tenant's contacts"
  on public.contacts is
  'The with check stops moving a row to another tenant by updating tenant_id (42501)';
create policy "Owners and admins can delete their tenant's contacts"
  on public.contacts
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin')
  );
comment on policy "Owners and admins can delete their tenant's contacts"
  on public.contacts is
  'Delete rule, part 1: owners and admins delete any row of their tenant';
create policy "Members can delete contacts they created"
  on public.contacts
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) = 'member'
    and created_by = (select auth.uid())
  );
comment on policy "Members can delete contacts they created"
  on public.contacts is
  'Delete rule, part 2: members delete only rows they created; viewers delete nothing';

-- Functions ---------------------------------------------------------------------------------------
-- None: the trigger functions and claim helpers live in 20261126140100_private.sql.

-- Schema version ----------------------------------------------------------------------------------
insert into private.schema_info (version, name) values ('20261126140200', 'crm');
