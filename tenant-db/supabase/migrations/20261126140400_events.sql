-- Tenant database, part 4: event operations — venues, events with their workflow, attendees.
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
create table public.venues (
  id            uuid primary key default gen_random_uuid(),
  tenant_id     uuid not null default private.request_tenant_id(),
  name          text not null check (btrim(name) <> ''),
  venue_type    text not null default 'other'
    check (venue_type in ('hotel', 'conference_center', 'office', 'restaurant', 'outdoor', 'virtual', 'other')),
  capacity      integer check (capacity >= 0),
  timezone      text,
  contact_name  text,
  contact_email text,
  contact_phone text,
  website       text,
  amenities     text[] not null default '{}',
  notes         text,
  is_active     boolean not null default true,
  address       jsonb,
  address_line1 text,
  address_line2 text,
  city          text,
  region        text,
  postal_code   text,
  country       text,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  created_by    uuid default auth.uid(),
  constraint venues_tenant_id_id_key unique (tenant_id, id),
  constraint venues_address_shape check (address is null or (
    jsonb_typeof(address) = 'object'
    and address - array['line1', 'line2', 'city', 'region', 'postal_code', 'country'] = '{}'::jsonb
    and not jsonb_path_exists(address, '$.* ? (@.type() != "string")')
    and coalesce(address ->> 'country' ~ '^[A-Z]{2}$', true)
  )),
  constraint venues_country_code check (country ~ '^[A-Z]{2}$')
);
comment on table public.venues is 'Places where the tenant runs events';
comment on column public.venues.id is 'Primary key; stable across tenant moves (rows keep their ids)';
comment on column public.venues.tenant_id is
  'Owning tenant; defaults to the request''s tenant_id claim, and RLS pins every read and write to it';
comment on column public.venues.name is 'Venue name';
comment on column public.venues.venue_type is 'Kind of venue';
comment on column public.venues.capacity is 'Maximum number of people';
comment on column public.venues.timezone is 'IANA time zone of the venue (e.g. Europe/Berlin)';
comment on column public.venues.contact_name is 'Venue-side contact person';
comment on column public.venues.contact_email is 'Venue-side contact email';
comment on column public.venues.contact_phone is 'Venue-side contact phone';
comment on column public.venues.website is 'Venue website';
comment on column public.venues.amenities is 'Amenities (wifi, stage, projector, parking, …)';
comment on column public.venues.notes is 'Access, loading dock, house rules';
comment on column public.venues.is_active is 'False when the tenant no longer books the venue';
comment on column public.venues.address is
  'Address as one document {line1, line2, city, region, postal_code, country}; kept in sync with the '
  'address_* columns by trigger';
comment on column public.venues.address_line1 is 'Street address, first line (synced with address.line1)';
comment on column public.venues.address_line2 is 'Street address, second line (synced with address.line2)';
comment on column public.venues.city is 'City (synced with address.city)';
comment on column public.venues.region is 'State, province or region (synced with address.region)';
comment on column public.venues.postal_code is 'Postal or ZIP code (synced with address.postal_code)';
comment on column public.venues.country is
  'ISO 3166-1 alpha-2 country code, upper case (synced with address.country)';
comment on column public.venues.created_at is 'When the row was created';
comment on column public.venues.updated_at is 'When the row last changed (set by the touch_row trigger)';
comment on column public.venues.created_by is
  'User (auth uid of the application project) who created the row; decides what a member may delete. No '
  'foreign key: users live in the application database';
comment on constraint venues_tenant_id_id_key on public.venues is
  'Target of the composite foreign keys that keep references inside one tenant';
comment on constraint venues_address_shape on public.venues is
  'The address document is an object of known keys with string values; checked on the document too, so it '
  'holds even when triggers are bypassed';
comment on constraint venues_country_code on public.venues is
  'Country is an ISO 3166-1 alpha-2 code in upper case';

create table public.events (
  id                        uuid primary key default gen_random_uuid(),
  tenant_id                 uuid not null default private.request_tenant_id(),
  account_id                uuid,
  opportunity_id            uuid,
  venue_id                  uuid,
  owner_id                  uuid,
  name                      text not null check (btrim(name) <> ''),
  event_type                text not null default 'conference'
    check (event_type in ('conference', 'trade_show', 'webinar', 'workshop', 'meetup', 'dinner', 'product_launch', 'training', 'other')),
  description               text,
  objectives                text,
  target_audience           text,
  priority                  text not null default 'normal'
    check (priority in ('low', 'normal', 'high', 'critical')),
  starts_at                 timestamptz,
  ends_at                   timestamptz,
  timezone                  text not null default 'UTC',
  is_virtual                boolean not null default false,
  virtual_url               text,
  expected_attendance       integer check (expected_attendance >= 0),
  capacity                  integer check (capacity >= 0),
  registration_opens_at     timestamptz,
  registration_closes_at    timestamptz,
  registration_url          text,
  agenda                    jsonb not null default '[]' check (jsonb_typeof(agenda) = 'array'),
  tags                      text[] not null default '{}',
  setup_starts_at           timestamptz,
  teardown_ends_at          timestamptz,
  load_in_at                timestamptz,
  load_out_at               timestamptz,
  av_requirements           text,
  av_vendor                 text,
  power_requirements        text,
  wifi_required             boolean not null default false,
  parking_notes             text,
  shipping_tracking_numbers text[] not null default '{}',
  signage_required          boolean not null default false,
  signage_notes             text,
  security_required         boolean not null default false,
  accessibility_notes       text,
  logistics_notes           text,
  catering_required         boolean not null default false,
  catering_vendor           text,
  catering_headcount        integer check (catering_headcount >= 0),
  catering_menu             text,
  dietary_requirements      jsonb not null default '{}' check (jsonb_typeof(dietary_requirements) = 'object'),
  catering_cost             numeric(14, 2) check (catering_cost >= 0),
  catering_confirmed_at     timestamptz,
  staff_required            integer check (staff_required >= 0),
  staff_confirmed           integer check (staff_confirmed >= 0),
  staffing_lead_id          uuid,
  volunteer_count           integer check (volunteer_count >= 0),
  staffing_notes            text,
  currency                  text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  budget_amount             numeric(14, 2) check (budget_amount >= 0),
  budget_committed          numeric(14, 2) check (budget_committed >= 0),
  budget_spent              numeric(14, 2) check (budget_spent >= 0),
  revenue_target            numeric(14, 2) check (revenue_target >= 0),
  revenue_actual            numeric(14, 2) check (revenue_actual >= 0),
  cost_center               text,
  purchase_order_number     text,
  approval_required         boolean not null default true,
  approval_requested_by     uuid,
  approved_by               uuid,
  approval_notes            text,
  rejection_reason          text,
  status                    text not null default 'draft'
    check (status in ('draft', 'planning', 'pending_approval', 'approved', 'scheduled', 'in_progress', 'completed', 'closed', 'cancelled')),
  previous_status           text
    check (previous_status in ('draft', 'planning', 'pending_approval', 'approved', 'scheduled', 'in_progress', 'completed', 'closed', 'cancelled')),
  status_changed_at         timestamptz,
  cancellation_reason       text,
  planning_at               timestamptz,
  pending_approval_at       timestamptz,
  approved_at               timestamptz,
  scheduled_at              timestamptz,
  in_progress_at            timestamptz,
  completed_at              timestamptz,
  closed_at                 timestamptz,
  cancelled_at              timestamptz,
  actual_attendance         integer check (actual_attendance >= 0),
  satisfaction_score        numeric(3, 1) check (satisfaction_score between 0 and 10),
  leads_generated           integer check (leads_generated >= 0),
  post_event_notes          text,
  lessons_learned           text,
  follow_up_due_at          timestamptz,
  created_at                timestamptz not null default now(),
  updated_at                timestamptz not null default now(),
  created_by                uuid default auth.uid(),
  constraint events_tenant_id_id_key unique (tenant_id, id),
  constraint events_ends_after_start check (ends_at >= starts_at),
  constraint events_teardown_after_setup check (teardown_ends_at >= setup_starts_at),
  constraint events_registration_window check (registration_closes_at >= registration_opens_at),
  constraint events_account_id_fkey foreign key (tenant_id, account_id)
    references public.accounts (tenant_id, id) on delete set null (account_id),
  constraint events_opportunity_id_fkey foreign key (tenant_id, opportunity_id)
    references public.opportunities (tenant_id, id) on delete set null (opportunity_id),
  constraint events_venue_id_fkey foreign key (tenant_id, venue_id)
    references public.venues (tenant_id, id) on delete set null (venue_id)
);
comment on table public.events is
  'Events the tenant runs (conferences, trade shows, dinners, webinars) with their full operational '
  'workflow: planning, logistics, catering, staffing, budget, approvals and a status enforced by trigger';
comment on column public.events.id is 'Primary key; stable across tenant moves (rows keep their ids)';
comment on column public.events.tenant_id is
  'Owning tenant; defaults to the request''s tenant_id claim, and RLS pins every read and write to it';
comment on column public.events.account_id is
  'Client account the event is run for, if any (internal events have none)';
comment on column public.events.opportunity_id is 'Deal the event supports or was sold in, if any';
comment on column public.events.venue_id is 'Where the event takes place, if booked';
comment on column public.events.owner_id is 'Event manager (auth uid in the application project)';
comment on column public.events.name is 'Event name';
comment on column public.events.event_type is 'Kind of event';
comment on column public.events.description is 'Public description';
comment on column public.events.objectives is 'What the event should achieve';
comment on column public.events.target_audience is 'Who the event is for';
comment on column public.events.priority is 'Planning priority';
comment on column public.events.starts_at is 'Planned start';
comment on column public.events.ends_at is 'Planned end';
comment on column public.events.timezone is 'IANA time zone the event is communicated in';
comment on column public.events.is_virtual is 'Held online (fully or hybrid)';
comment on column public.events.virtual_url is 'Meeting or stream URL for virtual attendance';
comment on column public.events.expected_attendance is 'Planned number of attendees';
comment on column public.events.capacity is 'Maximum number of attendees';
comment on column public.events.registration_opens_at is 'When registration opens';
comment on column public.events.registration_closes_at is 'When registration closes';
comment on column public.events.registration_url is 'Public registration page';
comment on column public.events.agenda is 'Agenda items as a JSON array of {time, title, speaker}';
comment on column public.events.tags is 'Labels for filtering';
comment on column public.events.setup_starts_at is 'When setup at the venue begins';
comment on column public.events.teardown_ends_at is 'When teardown at the venue ends';
comment on column public.events.load_in_at is 'Delivery slot for equipment';
comment on column public.events.load_out_at is 'Pick-up slot for equipment';
comment on column public.events.av_requirements is 'Audio/visual needs (screens, microphones, streaming)';
comment on column public.events.av_vendor is 'Audio/visual supplier';
comment on column public.events.power_requirements is 'Power needs beyond the venue''s standard';
comment on column public.events.wifi_required is 'Dedicated wifi needed';
comment on column public.events.parking_notes is 'Parking arrangements';
comment on column public.events.shipping_tracking_numbers is 'Tracking numbers of shipped material';
comment on column public.events.signage_required is 'Signage must be produced';
comment on column public.events.signage_notes is 'Signage details';
comment on column public.events.security_required is 'Security staff needed';
comment on column public.events.accessibility_notes is 'Accessibility arrangements';
comment on column public.events.logistics_notes is 'Other logistics';
comment on column public.events.catering_required is 'Catering is part of the event';
comment on column public.events.catering_vendor is 'Caterer';
comment on column public.events.catering_headcount is 'Meals ordered';
comment on column public.events.catering_menu is 'Menu';
comment on column public.events.dietary_requirements is 'Counts per diet, e.g. {"vegan": 4, "halal": 2}';
comment on column public.events.catering_cost is 'Catering cost, in currency';
comment on column public.events.catering_confirmed_at is 'When the caterer confirmed';
comment on column public.events.staff_required is 'Staff needed on site';
comment on column public.events.staff_confirmed is 'Staff confirmed so far';
comment on column public.events.staffing_lead_id is 'User leading the on-site staff';
comment on column public.events.volunteer_count is 'Volunteers confirmed';
comment on column public.events.staffing_notes is 'Shifts, roles, dress code';
comment on column public.events.currency is 'ISO 4217 currency code of the amounts';
comment on column public.events.budget_amount is 'Approved budget';
comment on column public.events.budget_committed is 'Budget committed by purchase orders';
comment on column public.events.budget_spent is 'Budget actually spent';
comment on column public.events.revenue_target is 'Revenue the event should generate';
comment on column public.events.revenue_actual is 'Revenue attributed to the event';
comment on column public.events.cost_center is 'Cost center charged';
comment on column public.events.purchase_order_number is 'Purchase order covering the event';
comment on column public.events.approval_required is
  'The event needs an owner''s or admin''s approval before scheduling';
comment on column public.events.approval_requested_by is
  'Who asked for approval (set by the workflow trigger)';
comment on column public.events.approved_by is 'Who approved (set by the workflow trigger)';
comment on column public.events.approval_notes is 'Conditions attached to the approval';
comment on column public.events.rejection_reason is
  'Why approval was refused (the event returns to planning)';
comment on column public.events.status is
  'Workflow status; transitions are enforced by the enforce_workflow trigger (graph in '
  'private.enforce_event_workflow)';
comment on column public.events.previous_status is 'Status before the last transition';
comment on column public.events.status_changed_at is 'When the status last changed';
comment on column public.events.cancellation_reason is 'Why the event was cancelled';
comment on column public.events.planning_at is
  'When the event last entered planning (set by the workflow trigger)';
comment on column public.events.pending_approval_at is
  'When the event last entered pending_approval (set by the workflow trigger)';
comment on column public.events.approved_at is
  'When the event last entered approved (set by the workflow trigger)';
comment on column public.events.scheduled_at is
  'When the event last entered scheduled (set by the workflow trigger)';
comment on column public.events.in_progress_at is
  'When the event last entered in_progress (set by the workflow trigger)';
comment on column public.events.completed_at is
  'When the event last entered completed (set by the workflow trigger)';
comment on column public.events.closed_at is
  'When the event last entered closed (set by the workflow trigger)';
comment on column public.events.cancelled_at is
  'When the event last entered cancelled (set by the workflow trigger)';
comment on column public.events.actual_attendance is 'Attendees who showed up';
comment on column public.events.satisfaction_score is 'Average attendee rating, 0 to 10';
comment on column public.events.leads_generated is 'Leads captured at the event';
comment on column public.events.post_event_notes is 'Debrief';
comment on column public.events.lessons_learned is 'What to do differently next time';
comment on column public.events.follow_up_due_at is 'When follow-up with attendees is due';
comment on column public.events.created_at is 'When the row was created';
comment on column public.events.updated_at is 'When the row last changed (set by the touch_row trigger)';
comment on column public.events.created_by is
  'User (auth uid of the application project) who created the row; decides what a member may delete. No '
  'foreign key: users live in the application database';
comment on constraint events_tenant_id_id_key on public.events is
  'Target of the composite foreign keys that keep references inside one tenant';
comment on constraint events_ends_after_start on public.events is 'An event cannot end before it starts';
comment on constraint events_teardown_after_setup on public.events is
  'Teardown cannot end before setup starts';
comment on constraint events_registration_window on public.events is
  'Registration cannot close before it opens';
comment on constraint events_account_id_fkey on public.events is
  'Composite with tenant_id, so it can only point at a row of the same tenant. The event happened '
  'regardless: deleting the account clears the link';
comment on constraint events_opportunity_id_fkey on public.events is
  'Composite with tenant_id, so it can only point at a row of the same tenant. Deleting the deal clears the '
  'link, the event stays';
comment on constraint events_venue_id_fkey on public.events is
  'Composite with tenant_id, so it can only point at a row of the same tenant. Deleting a venue leaves its '
  'events unbooked rather than deleting them';

create table public.event_attendees (
  id                   uuid primary key default gen_random_uuid(),
  tenant_id            uuid not null default private.request_tenant_id(),
  event_id             uuid not null,
  contact_id           uuid,
  full_name            text not null check (btrim(full_name) <> ''),
  email                text,
  company              text,
  status               text not null default 'invited'
    check (status in ('invited', 'registered', 'confirmed', 'waitlisted', 'attended', 'no_show', 'cancelled')),
  attendee_type        text not null default 'guest'
    check (attendee_type in ('guest', 'speaker', 'staff', 'sponsor', 'vip', 'press')),
  ticket_type          text,
  registered_at        timestamptz,
  checked_in_at        timestamptz,
  badge_name           text,
  dietary_restrictions text,
  accessibility_needs  text,
  notes                text,
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now(),
  created_by           uuid default auth.uid(),
  constraint event_attendees_tenant_id_id_key unique (tenant_id, id),
  constraint event_attendees_tenant_id_event_id_contact_id_key unique (tenant_id, event_id, contact_id),
  constraint event_attendees_event_id_fkey foreign key (tenant_id, event_id)
    references public.events (tenant_id, id) on delete cascade,
  constraint event_attendees_contact_id_fkey foreign key (tenant_id, contact_id)
    references public.contacts (tenant_id, id) on delete set null (contact_id)
);
comment on table public.event_attendees is
  'People invited to or attending an event: a contact of the tenant, or a guest known only by name and '
  'email';
comment on column public.event_attendees.id is
  'Primary key; stable across tenant moves (rows keep their ids)';
comment on column public.event_attendees.tenant_id is
  'Owning tenant; defaults to the request''s tenant_id claim, and RLS pins every read and write to it';
comment on column public.event_attendees.event_id is 'The event';
comment on column public.event_attendees.contact_id is
  'The attendee as a contact of the tenant, if they are one';
comment on column public.event_attendees.full_name is 'Name as registered (kept when the contact is deleted)';
comment on column public.event_attendees.email is 'Email as registered';
comment on column public.event_attendees.company is 'Company as registered';
comment on column public.event_attendees.status is 'Registration status';
comment on column public.event_attendees.attendee_type is 'Role at the event';
comment on column public.event_attendees.ticket_type is 'Ticket or pass';
comment on column public.event_attendees.registered_at is 'When they registered';
comment on column public.event_attendees.checked_in_at is 'When they checked in on site';
comment on column public.event_attendees.badge_name is 'Name printed on the badge';
comment on column public.event_attendees.dietary_restrictions is 'Dietary needs';
comment on column public.event_attendees.accessibility_needs is 'Accessibility needs';
comment on column public.event_attendees.notes is 'Anything else';
comment on column public.event_attendees.created_at is 'When the row was created';
comment on column public.event_attendees.updated_at is
  'When the row last changed (set by the touch_row trigger)';
comment on column public.event_attendees.created_by is
  'User (auth uid of the application project) who created the row; decides what a member may delete. No '
  'foreign key: users live in the application database';
comment on constraint event_attendees_tenant_id_id_key on public.event_attendees is
  'Target of the composite foreign keys that keep references inside one tenant';
comment on constraint event_attendees_tenant_id_event_id_contact_id_key on public.event_attendees is
  'A contact attends an event once; also serves the event_id foreign key';
comment on constraint event_attendees_event_id_fkey on public.event_attendees is
  'Composite with tenant_id, so it can only point at a row of the same tenant. Attendance belongs to its '
  'event and goes with it';
comment on constraint event_attendees_contact_id_fkey on public.event_attendees is
  'Composite with tenant_id, so it can only point at a row of the same tenant. Deleting a contact keeps the '
  'attendance record (name and email stay)';

-- Indexes -----------------------------------------------------------------------------------------
create index venues_tenant_id_created_by_idx
  on public.venues (tenant_id, created_by);
comment on index public.venues_tenant_id_created_by_idx is
  'The member delete policy filters on created_by; also serves "rows I created"';

create index events_tenant_id_account_id_idx
  on public.events (tenant_id, account_id);
comment on index public.events_tenant_id_account_id_idx is
  'Serves events_account_id_fkey (deleting from accounts looks up referencing events here) and joins from '
  'accounts';
create index events_tenant_id_opportunity_id_idx
  on public.events (tenant_id, opportunity_id);
comment on index public.events_tenant_id_opportunity_id_idx is
  'Serves events_opportunity_id_fkey (deleting from opportunities looks up referencing events here) and '
  'joins from opportunities';
create index events_tenant_id_venue_id_idx
  on public.events (tenant_id, venue_id);
comment on index public.events_tenant_id_venue_id_idx is
  'Serves events_venue_id_fkey (deleting from venues looks up referencing events here) and joins from '
  'venues';
create index events_tenant_id_created_by_idx
  on public.events (tenant_id, created_by);
comment on index public.events_tenant_id_created_by_idx is
  'The member delete policy filters on created_by; also serves "rows I created"';
create index events_tenant_id_status_starts_at_idx
  on public.events (tenant_id, status, starts_at);
comment on index public.events_tenant_id_status_starts_at_idx is
  'The event calendar: a tenant''s events by status and date';

create index event_attendees_tenant_id_contact_id_idx
  on public.event_attendees (tenant_id, contact_id);
comment on index public.event_attendees_tenant_id_contact_id_idx is
  'Serves event_attendees_contact_id_fkey (deleting from contacts looks up referencing event_attendees '
  'here) and joins from contacts';
create index event_attendees_tenant_id_created_by_idx
  on public.event_attendees (tenant_id, created_by);
comment on index public.event_attendees_tenant_id_created_by_idx is
  'The member delete policy filters on created_by; also serves "rows I created"';

-- Grants ------------------------------------------------------------------------------------------
revoke all on table public.venues from anon, authenticated;
grant select, insert, update, delete on table public.venues to authenticated;
grant all on table public.venues to service_role;

revoke all on table public.events from anon, authenticated;
grant select, insert, update, delete on table public.events to authenticated;
grant all on table public.events to service_role;

revoke all on table public.event_attendees from anon, authenticated;
grant select, insert, update, delete on table public.event_attendees to authenticated;
grant all on table public.event_attendees to service_role;

-- Triggers ----------------------------------------------------------------------------------------
create trigger touch_row before update on public.venues
  for each row execute function private.touch_row();
comment on trigger touch_row on public.venues is 'Stamps updated_at; keeps created_by fixed for API users';
create trigger sync_address before insert or update on public.venues
  for each row execute function private.sync_address();
comment on trigger sync_address on public.venues is 'Keeps address (jsonb) and the address_* columns in sync';

create trigger touch_row before update on public.events
  for each row execute function private.touch_row();
comment on trigger touch_row on public.events is 'Stamps updated_at; keeps created_by fixed for API users';
create trigger enforce_workflow before insert or update of status on public.events
  for each row execute function private.enforce_event_workflow();
comment on trigger enforce_workflow on public.events is
  'Enforces the status graph and owner/admin approval, stamps the stage timestamps';

create trigger touch_row before update on public.event_attendees
  for each row execute function private.touch_row();
comment on trigger touch_row on public.event_attendees is
  'Stamps updated_at; keeps created_by fixed for API users';

-- RLS enable --------------------------------------------------------------------------------------
alter table public.venues enable row level security;
alter table public.events enable row level security;
alter table public.event_attendees enable row level security;

-- Policies ----------------------------------------------------------------------------------------
create policy "Users of a tenant can read its venues"
  on public.venues
  for select
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) is not null
  );
comment on policy "Users of a tenant can read its venues"
  on public.venues is
  'Every tenant role (owner, admin, member, viewer) reads the rows of the tenant in its claims, and only '
  'those';
create policy "Owners, admins and members can add venues to their tenant"
  on public.venues
  for insert
  to authenticated
  with check (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin', 'member')
  );
comment on policy "Owners, admins and members can add venues to their tenant"
  on public.venues is
  'Viewers cannot write; nobody can insert a row for another tenant (42501)';
create policy "Owners, admins and members can change their tenant's venues"
  on public.venues
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
comment on policy "Owners, admins and members can change their tenant's venues"
  on public.venues is
  'The with check stops moving a row to another tenant by updating tenant_id (42501)';
create policy "Owners and admins can delete their tenant's venues"
  on public.venues
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin')
  );
comment on policy "Owners and admins can delete their tenant's venues"
  on public.venues is
  'Delete rule, part 1: owners and admins delete any row of their tenant';
create policy "Members can delete venues they created"
  on public.venues
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) = 'member'
    and created_by = (select auth.uid())
  );
comment on policy "Members can delete venues they created"
  on public.venues is
  'Delete rule, part 2: members delete only rows they created; viewers delete nothing';

create policy "Users of a tenant can read its events"
  on public.events
  for select
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) is not null
  );
comment on policy "Users of a tenant can read its events"
  on public.events is
  'Every tenant role (owner, admin, member, viewer) reads the rows of the tenant in its claims, and only '
  'those';
create policy "Owners, admins and members can add events to their tenant"
  on public.events
  for insert
  to authenticated
  with check (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin', 'member')
  );
comment on policy "Owners, admins and members can add events to their tenant"
  on public.events is
  'Viewers cannot write; nobody can insert a row for another tenant (42501)';
create policy "Owners, admins and members can change their tenant's events"
  on public.events
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
comment on policy "Owners, admins and members can change their tenant's events"
  on public.events is
  'The with check stops moving a row to another tenant by updating tenant_id (42501)';
create policy "Owners and admins can delete their tenant's events"
  on public.events
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin')
  );
comment on policy "Owners and admins can delete their tenant's events"
  on public.events is
  'Delete rule, part 1: owners and admins delete any row of their tenant';
create policy "Members can delete events they created"
  on public.events
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) = 'member'
    and created_by = (select auth.uid())
  );
comment on policy "Members can delete events they created"
  on public.events is
  'Delete rule, part 2: members delete only rows they created; viewers delete nothing';

create policy "Users of a tenant can read its event attendees"
  on public.event_attendees
  for select
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) is not null
  );
comment on policy "Users of a tenant can read its event attendees"
  on public.event_attendees is
  'Every tenant role (owner, admin, member, viewer) reads the rows of the tenant in its claims, and only '
  'those';
create policy "Owners, admins and members can add event attendees to their tenant"
  on public.event_attendees
  for insert
  to authenticated
  with check (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin', 'member')
  );
comment on policy "Owners, admins and members can add event attendees to their tenant"
  on public.event_attendees is
  'Viewers cannot write; nobody can insert a row for another tenant (42501)';
create policy "Owners, admins and members can change their tenant's event attendees"
  on public.event_attendees
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
comment on policy "Owners, admins and members can change their tenant's event attendees"
  on public.event_attendees is
  'The with check stops moving a row to another tenant by updating tenant_id (42501)';
create policy "Owners and admins can delete their tenant's event attendees"
  on public.event_attendees
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin')
  );
comment on policy "Owners and admins can delete their tenant's event attendees"
  on public.event_attendees is
  'Delete rule, part 1: owners and admins delete any row of their tenant';
create policy "Members can delete event attendees they created"
  on public.event_attendees
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) = 'member'
    and created_by = (select auth.uid())
  );
comment on policy "Members can delete event attendees they created"
  on public.event_attendees is
  'Delete rule, part 2: members delete only rows they created; viewers delete nothing';

-- Functions ---------------------------------------------------------------------------------------
-- None: the trigger functions and claim helpers live in 20261126140100_private.sql.

-- Schema version ----------------------------------------------------------------------------------
insert into private.schema_info (version, name) values ('20261126140400', 'events');
