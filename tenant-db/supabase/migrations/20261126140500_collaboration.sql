-- Tenant database, part 5: collaboration — tasks, notes, the activity timeline and documents.
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
create table public.tasks (
  id             uuid primary key default gen_random_uuid(),
  tenant_id      uuid not null default private.request_tenant_id(),
  title          text not null check (btrim(title) <> ''),
  description    text,
  status         text not null default 'todo'
    check (status in ('todo', 'in_progress', 'blocked', 'done', 'cancelled')),
  priority       text not null default 'normal' check (priority in ('low', 'normal', 'high', 'urgent')),
  due_at         timestamptz,
  completed_at   timestamptz,
  assigned_to    uuid,
  account_id     uuid,
  contact_id     uuid,
  opportunity_id uuid,
  event_id       uuid,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  created_by     uuid default auth.uid(),
  constraint tasks_tenant_id_id_key unique (tenant_id, id),
  constraint tasks_account_id_fkey foreign key (tenant_id, account_id)
    references public.accounts (tenant_id, id) on delete set null (account_id),
  constraint tasks_contact_id_fkey foreign key (tenant_id, contact_id)
    references public.contacts (tenant_id, id) on delete set null (contact_id),
  constraint tasks_opportunity_id_fkey foreign key (tenant_id, opportunity_id)
    references public.opportunities (tenant_id, id) on delete set null (opportunity_id),
  constraint tasks_event_id_fkey foreign key (tenant_id, event_id)
    references public.events (tenant_id, id) on delete set null (event_id)
);
comment on table public.tasks is
  'Work items assigned to users, optionally about an account, contact, opportunity or event';
comment on column public.tasks.id is 'Primary key; stable across tenant moves (rows keep their ids)';
comment on column public.tasks.tenant_id is
  'Owning tenant; defaults to the request''s tenant_id claim, and RLS pins every read and write to it';
comment on column public.tasks.title is 'What to do';
comment on column public.tasks.description is 'Details';
comment on column public.tasks.status is 'Progress';
comment on column public.tasks.priority is 'Urgency';
comment on column public.tasks.due_at is 'Deadline';
comment on column public.tasks.completed_at is 'When it was done';
comment on column public.tasks.assigned_to is 'Assignee (auth uid in the application project)';
comment on column public.tasks.account_id is 'The account this task is about, if any';
comment on column public.tasks.contact_id is 'The contact this task is about, if any';
comment on column public.tasks.opportunity_id is 'The opportunitie this task is about, if any';
comment on column public.tasks.event_id is 'The event this task is about, if any';
comment on column public.tasks.created_at is 'When the row was created';
comment on column public.tasks.updated_at is 'When the row last changed (set by the touch_row trigger)';
comment on column public.tasks.created_by is
  'User (auth uid of the application project) who created the row; decides what a member may delete. No '
  'foreign key: users live in the application database';
comment on constraint tasks_tenant_id_id_key on public.tasks is
  'Target of the composite foreign keys that keep references inside one tenant';
comment on constraint tasks_account_id_fkey on public.tasks is
  'Composite with tenant_id, so it can only point at a row of the same tenant. A task stays on its '
  'assignee''s list when what it was about is deleted';
comment on constraint tasks_contact_id_fkey on public.tasks is
  'Composite with tenant_id, so it can only point at a row of the same tenant. A task stays on its '
  'assignee''s list when what it was about is deleted';
comment on constraint tasks_opportunity_id_fkey on public.tasks is
  'Composite with tenant_id, so it can only point at a row of the same tenant. A task stays on its '
  'assignee''s list when what it was about is deleted';
comment on constraint tasks_event_id_fkey on public.tasks is
  'Composite with tenant_id, so it can only point at a row of the same tenant. A task stays on its '
  'assignee''s list when what it was about is deleted';

create table public.notes (
  id             uuid primary key default gen_random_uuid(),
  tenant_id      uuid not null default private.request_tenant_id(),
  title          text,
  body           text not null,
  is_pinned      boolean not null default false,
  account_id     uuid,
  contact_id     uuid,
  opportunity_id uuid,
  event_id       uuid,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  created_by     uuid default auth.uid(),
  constraint notes_tenant_id_id_key unique (tenant_id, id),
  constraint notes_about_something check (num_nonnulls(account_id, contact_id, opportunity_id, event_id) >= 1),
  constraint notes_account_id_fkey foreign key (tenant_id, account_id)
    references public.accounts (tenant_id, id) on delete cascade,
  constraint notes_contact_id_fkey foreign key (tenant_id, contact_id)
    references public.contacts (tenant_id, id) on delete cascade,
  constraint notes_opportunity_id_fkey foreign key (tenant_id, opportunity_id)
    references public.opportunities (tenant_id, id) on delete cascade,
  constraint notes_event_id_fkey foreign key (tenant_id, event_id)
    references public.events (tenant_id, id) on delete cascade
);
comment on table public.notes is 'Free-text notes about an account, contact, opportunity or event';
comment on column public.notes.id is 'Primary key; stable across tenant moves (rows keep their ids)';
comment on column public.notes.tenant_id is
  'Owning tenant; defaults to the request''s tenant_id claim, and RLS pins every read and write to it';
comment on column public.notes.title is 'Optional heading';
comment on column public.notes.body is 'The note';
comment on column public.notes.is_pinned is 'Shown first';
comment on column public.notes.account_id is 'The account this note is about, if any';
comment on column public.notes.contact_id is 'The contact this note is about, if any';
comment on column public.notes.opportunity_id is 'The opportunitie this note is about, if any';
comment on column public.notes.event_id is 'The event this note is about, if any';
comment on column public.notes.created_at is 'When the row was created';
comment on column public.notes.updated_at is 'When the row last changed (set by the touch_row trigger)';
comment on column public.notes.created_by is
  'User (auth uid of the application project) who created the row; decides what a member may delete. No '
  'foreign key: users live in the application database';
comment on constraint notes_tenant_id_id_key on public.notes is
  'Target of the composite foreign keys that keep references inside one tenant';
comment on constraint notes_about_something on public.notes is 'A note is always about at least one record';
comment on constraint notes_account_id_fkey on public.notes is
  'Composite with tenant_id, so it can only point at a row of the same tenant. A note only means something '
  'next to what it is about, so it goes with it';
comment on constraint notes_contact_id_fkey on public.notes is
  'Composite with tenant_id, so it can only point at a row of the same tenant. A note only means something '
  'next to what it is about, so it goes with it';
comment on constraint notes_opportunity_id_fkey on public.notes is
  'Composite with tenant_id, so it can only point at a row of the same tenant. A note only means something '
  'next to what it is about, so it goes with it';
comment on constraint notes_event_id_fkey on public.notes is
  'Composite with tenant_id, so it can only point at a row of the same tenant. A note only means something '
  'next to what it is about, so it goes with it';

create table public.activities (
  id               uuid primary key default gen_random_uuid(),
  tenant_id        uuid not null default private.request_tenant_id(),
  activity_type    text not null
    check (activity_type in ('call', 'email', 'meeting', 'demo', 'site_visit', 'event_check_in', 'other')),
  subject          text not null check (btrim(subject) <> ''),
  body             text,
  direction        text check (direction in ('inbound', 'outbound')),
  occurred_at      timestamptz not null default now(),
  duration_minutes integer check (duration_minutes >= 0),
  outcome          text,
  account_id       uuid,
  contact_id       uuid,
  opportunity_id   uuid,
  event_id         uuid,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  created_by       uuid default auth.uid(),
  constraint activities_tenant_id_id_key unique (tenant_id, id),
  constraint activities_about_something check (num_nonnulls(account_id, contact_id, opportunity_id, event_id) >= 1),
  constraint activities_account_id_fkey foreign key (tenant_id, account_id)
    references public.accounts (tenant_id, id) on delete cascade,
  constraint activities_contact_id_fkey foreign key (tenant_id, contact_id)
    references public.contacts (tenant_id, id) on delete cascade,
  constraint activities_opportunity_id_fkey foreign key (tenant_id, opportunity_id)
    references public.opportunities (tenant_id, id) on delete cascade,
  constraint activities_event_id_fkey foreign key (tenant_id, event_id)
    references public.events (tenant_id, id) on delete cascade
);
comment on table public.activities is
  'The interaction timeline: calls, emails, meetings, demos and check-ins with accounts, contacts, deals '
  'and events';
comment on column public.activities.id is 'Primary key; stable across tenant moves (rows keep their ids)';
comment on column public.activities.tenant_id is
  'Owning tenant; defaults to the request''s tenant_id claim, and RLS pins every read and write to it';
comment on column public.activities.activity_type is 'Kind of interaction';
comment on column public.activities.subject is 'One-line summary';
comment on column public.activities.body is 'Details or email body';
comment on column public.activities.direction is 'Who initiated it';
comment on column public.activities.occurred_at is 'When it happened';
comment on column public.activities.duration_minutes is 'How long it took';
comment on column public.activities.outcome is 'Result';
comment on column public.activities.account_id is 'The account this activity is about, if any';
comment on column public.activities.contact_id is 'The contact this activity is about, if any';
comment on column public.activities.opportunity_id is 'The opportunitie this activity is about, if any';
comment on column public.activities.event_id is 'The event this activity is about, if any';
comment on column public.activities.created_at is 'When the row was created';
comment on column public.activities.updated_at is 'When the row last changed (set by the touch_row trigger)';
comment on column public.activities.created_by is
  'User (auth uid of the application project) who created the row; decides what a member may delete. No '
  'foreign key: users live in the application database';
comment on constraint activities_tenant_id_id_key on public.activities is
  'Target of the composite foreign keys that keep references inside one tenant';
comment on constraint activities_about_something on public.activities is
  'An activity is always with at least one record';
comment on constraint activities_account_id_fkey on public.activities is
  'Composite with tenant_id, so it can only point at a row of the same tenant. The timeline entry goes with '
  'the record it belongs to';
comment on constraint activities_contact_id_fkey on public.activities is
  'Composite with tenant_id, so it can only point at a row of the same tenant. The timeline entry goes with '
  'the record it belongs to';
comment on constraint activities_opportunity_id_fkey on public.activities is
  'Composite with tenant_id, so it can only point at a row of the same tenant. The timeline entry goes with '
  'the record it belongs to';
comment on constraint activities_event_id_fkey on public.activities is
  'Composite with tenant_id, so it can only point at a row of the same tenant. The timeline entry goes with '
  'the record it belongs to';

create table public.documents (
  id              uuid primary key default gen_random_uuid(),
  tenant_id       uuid not null default private.request_tenant_id(),
  name            text not null check (btrim(name) <> ''),
  description     text,
  document_type   text not null default 'other'
    check (document_type in ('proposal', 'contract', 'quote', 'invoice', 'brochure', 'floor_plan', 'run_of_show', 'other')),
  storage_bucket  text not null default 'documents',
  storage_path    text not null check (btrim(storage_path) <> ''),
  mime_type       text,
  size_bytes      bigint check (size_bytes >= 0),
  checksum_sha256 text check (checksum_sha256 ~ '^[0-9a-f]{64}$'),
  version         integer not null default 1 check (version >= 1),
  account_id      uuid,
  opportunity_id  uuid,
  event_id        uuid,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  created_by      uuid default auth.uid(),
  constraint documents_tenant_id_id_key unique (tenant_id, id),
  constraint documents_tenant_id_storage_bucket_storage_path_key unique (tenant_id, storage_bucket, storage_path),
  constraint documents_attached check (num_nonnulls(account_id, opportunity_id, event_id) >= 1),
  constraint documents_account_id_fkey foreign key (tenant_id, account_id)
    references public.accounts (tenant_id, id) on delete cascade,
  constraint documents_opportunity_id_fkey foreign key (tenant_id, opportunity_id)
    references public.opportunities (tenant_id, id) on delete cascade,
  constraint documents_event_id_fkey foreign key (tenant_id, event_id)
    references public.events (tenant_id, id) on delete cascade
);
comment on table public.documents is
  'Files (proposals, contracts, floor plans) kept in Supabase Storage and attached to an account, '
  'opportunity or event';
comment on column public.documents.id is 'Primary key; stable across tenant moves (rows keep their ids)';
comment on column public.documents.tenant_id is
  'Owning tenant; defaults to the request''s tenant_id claim, and RLS pins every read and write to it';
comment on column public.documents.name is 'Display name';
comment on column public.documents.description is 'What the document is';
comment on column public.documents.document_type is 'Kind of document';
comment on column public.documents.storage_bucket is 'Storage bucket of the file';
comment on column public.documents.storage_path is 'Object path of the file in its bucket';
comment on column public.documents.mime_type is 'Media type';
comment on column public.documents.size_bytes is 'File size';
comment on column public.documents.checksum_sha256 is 'SHA-256 of the file, hex';
comment on column public.documents.version is 'Revision number';
comment on column public.documents.account_id is 'The account this document is about, if any';
comment on column public.documents.opportunity_id is 'The opportunitie this document is about, if any';
comment on column public.documents.event_id is 'The event this document is about, if any';
comment on column public.documents.created_at is 'When the row was created';
comment on column public.documents.updated_at is 'When the row last changed (set by the touch_row trigger)';
comment on column public.documents.created_by is
  'User (auth uid of the application project) who created the row; decides what a member may delete. No '
  'foreign key: users live in the application database';
comment on constraint documents_tenant_id_id_key on public.documents is
  'Target of the composite foreign keys that keep references inside one tenant';
comment on constraint documents_tenant_id_storage_bucket_storage_path_key on public.documents is
  'One record per stored file';
comment on constraint documents_attached on public.documents is
  'A document is always attached to at least one record';
comment on constraint documents_account_id_fkey on public.documents is
  'Composite with tenant_id, so it can only point at a row of the same tenant. The document record goes '
  'with the record it is attached to (the file is removed by the app)';
comment on constraint documents_opportunity_id_fkey on public.documents is
  'Composite with tenant_id, so it can only point at a row of the same tenant. The document record goes '
  'with the record it is attached to (the file is removed by the app)';
comment on constraint documents_event_id_fkey on public.documents is
  'Composite with tenant_id, so it can only point at a row of the same tenant. The document record goes '
  'with the record it is attached to (the file is removed by the app)';

-- Indexes -----------------------------------------------------------------------------------------
create index tasks_tenant_id_account_id_idx
  on public.tasks (tenant_id, account_id);
comment on index public.tasks_tenant_id_account_id_idx is
  'Serves tasks_account_id_fkey (deleting from accounts looks up referencing tasks here) and joins from '
  'accounts';
create index tasks_tenant_id_contact_id_idx
  on public.tasks (tenant_id, contact_id);
comment on index public.tasks_tenant_id_contact_id_idx is
  'Serves tasks_contact_id_fkey (deleting from contacts looks up referencing tasks here) and joins from '
  'contacts';
create index tasks_tenant_id_opportunity_id_idx
  on public.tasks (tenant_id, opportunity_id);
comment on index public.tasks_tenant_id_opportunity_id_idx is
  'Serves tasks_opportunity_id_fkey (deleting from opportunities looks up referencing tasks here) and joins '
  'from opportunities';
create index tasks_tenant_id_event_id_idx
  on public.tasks (tenant_id, event_id);
comment on index public.tasks_tenant_id_event_id_idx is
  'Serves tasks_event_id_fkey (deleting from events looks up referencing tasks here) and joins from events';
create index tasks_tenant_id_created_by_idx
  on public.tasks (tenant_id, created_by);
comment on index public.tasks_tenant_id_created_by_idx is
  'The member delete policy filters on created_by; also serves "rows I created"';
create index tasks_tenant_id_assigned_to_due_at_idx
  on public.tasks (tenant_id, assigned_to, due_at);
comment on index public.tasks_tenant_id_assigned_to_due_at_idx is 'My tasks by due date';

create index notes_tenant_id_account_id_idx
  on public.notes (tenant_id, account_id);
comment on index public.notes_tenant_id_account_id_idx is
  'Serves notes_account_id_fkey (deleting from accounts looks up referencing notes here) and joins from '
  'accounts';
create index notes_tenant_id_contact_id_idx
  on public.notes (tenant_id, contact_id);
comment on index public.notes_tenant_id_contact_id_idx is
  'Serves notes_contact_id_fkey (deleting from contacts looks up referencing notes here) and joins from '
  'contacts';
create index notes_tenant_id_opportunity_id_idx
  on public.notes (tenant_id, opportunity_id);
comment on index public.notes_tenant_id_opportunity_id_idx is
  'Serves notes_opportunity_id_fkey (deleting from opportunities looks up referencing notes here) and joins '
  'from opportunities';
create index notes_tenant_id_event_id_idx
  on public.notes (tenant_id, event_id);
comment on index public.notes_tenant_id_event_id_idx is
  'Serves notes_event_id_fkey (deleting from events looks up referencing notes here) and joins from events';
create index notes_tenant_id_created_by_idx
  on public.notes (tenant_id, created_by);
comment on index public.notes_tenant_id_created_by_idx is
  'The member delete policy filters on created_by; also serves "rows I created"';

create index activities_tenant_id_account_id_idx
  on public.activities (tenant_id, account_id);
comment on index public.activities_tenant_id_account_id_idx is
  'Serves activities_account_id_fkey (deleting from accounts looks up referencing activities here) and '
  'joins from accounts';
create index activities_tenant_id_contact_id_idx
  on public.activities (tenant_id, contact_id);
comment on index public.activities_tenant_id_contact_id_idx is
  'Serves activities_contact_id_fkey (deleting from contacts looks up referencing activities here) and '
  'joins from contacts';
create index activities_tenant_id_opportunity_id_idx
  on public.activities (tenant_id, opportunity_id);
comment on index public.activities_tenant_id_opportunity_id_idx is
  'Serves activities_opportunity_id_fkey (deleting from opportunities looks up referencing activities here) '
  'and joins from opportunities';
create index activities_tenant_id_event_id_idx
  on public.activities (tenant_id, event_id);
comment on index public.activities_tenant_id_event_id_idx is
  'Serves activities_event_id_fkey (deleting from events looks up referencing activities here) and joins '
  'from events';
create index activities_tenant_id_created_by_idx
  on public.activities (tenant_id, created_by);
comment on index public.activities_tenant_id_created_by_idx is
  'The member delete policy filters on created_by; also serves "rows I created"';
create index activities_tenant_id_occurred_at_idx
  on public.activities (tenant_id, occurred_at);
comment on index public.activities_tenant_id_occurred_at_idx is
  'The timeline: a tenant''s activities by date';

create index documents_tenant_id_account_id_idx
  on public.documents (tenant_id, account_id);
comment on index public.documents_tenant_id_account_id_idx is
  'Serves documents_account_id_fkey (deleting from accounts looks up referencing documents here) and joins '
  'from accounts';
create index documents_tenant_id_opportunity_id_idx
  on public.documents (tenant_id, opportunity_id);
comment on index public.documents_tenant_id_opportunity_id_idx is
  'Serves documents_opportunity_id_fkey (deleting from opportunities looks up referencing documents here) '
  'and joins from opportunities';
create index documents_tenant_id_event_id_idx
  on public.documents (tenant_id, event_id);
comment on index public.documents_tenant_id_event_id_idx is
  'Serves documents_event_id_fkey (deleting from events looks up referencing documents here) and joins from '
  'events';
create index documents_tenant_id_created_by_idx
  on public.documents (tenant_id, created_by);
comment on index public.documents_tenant_id_created_by_idx is
  'The member delete policy filters on created_by; also serves "rows I created"';

-- Grants ------------------------------------------------------------------------------------------
revoke all on table public.tasks from anon, authenticated;
grant select, insert, update, delete on table public.tasks to authenticated;
grant all on table public.tasks to service_role;

revoke all on table public.notes from anon, authenticated;
grant select, insert, update, delete on table public.notes to authenticated;
grant all on table public.notes to service_role;

revoke all on table public.activities from anon, authenticated;
grant select, insert, update, delete on table public.activities to authenticated;
grant all on table public.activities to service_role;

revoke all on table public.documents from anon, authenticated;
grant select, insert, update, delete on table public.documents to authenticated;
grant all on table public.documents to service_role;

-- Triggers ----------------------------------------------------------------------------------------
create trigger touch_row before update on public.tasks
  for each row execute function private.touch_row();
comment on trigger touch_row on public.tasks is 'Stamps updated_at; keeps created_by fixed for API users';

create trigger touch_row before update on public.notes
  for each row execute function private.touch_row();
comment on trigger touch_row on public.notes is 'Stamps updated_at; keeps created_by fixed for API users';

create trigger touch_row before update on public.activities
  for each row execute function private.touch_row();
comment on trigger touch_row on public.activities is
  'Stamps updated_at; keeps created_by fixed for API users';

create trigger touch_row before update on public.documents
  for each row execute function private.touch_row();
comment on trigger touch_row on public.documents is 'Stamps updated_at; keeps created_by fixed for API users';

-- RLS enable --------------------------------------------------------------------------------------
alter table public.tasks enable row level security;
alter table public.notes enable row level security;
alter table public.activities enable row level security;
alter table public.documents enable row level security;

-- Policies ----------------------------------------------------------------------------------------
create policy "Users of a tenant can read its tasks"
  on public.tasks
  for select
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) is not null
  );
comment on policy "Users of a tenant can read its tasks"
  on public.tasks is
  'Every tenant role (owner, admin, member, viewer) reads the rows of the tenant in its claims, and only '
  'those';
create policy "Owners, admins and members can add tasks to their tenant"
  on public.tasks
  for insert
  to authenticated
  with check (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin', 'member')
  );
comment on policy "Owners, admins and members can add tasks to their tenant"
  on public.tasks is
  'Viewers cannot write; nobody can insert a row for another tenant (42501)';
create policy "Owners, admins and members can change their tenant's tasks"
  on public.tasks
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
comment on policy "Owners, admins and members can change their tenant's tasks"
  on public.tasks is
  'The with check stops moving a row to another tenant by updating tenant_id (42501)';
create policy "Owners and admins can delete their tenant's tasks"
  on public.tasks
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin')
  );
comment on policy "Owners and admins can delete their tenant's tasks"
  on public.tasks is
  'Delete rule, part 1: owners and admins delete any row of their tenant';
create policy "Members can delete tasks they created"
  on public.tasks
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) = 'member'
    and created_by = (select auth.uid())
  );
comment on policy "Members can delete tasks they created"
  on public.tasks is
  'Delete rule, part 2: members delete only rows they created; viewers delete nothing';

create policy "Users of a tenant can read its notes"
  on public.notes
  for select
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) is not null
  );
comment on policy "Users of a tenant can read its notes"
  on public.notes is
  'Every tenant role (owner, admin, member, viewer) reads the rows of the tenant in its claims, and only '
  'those';
create policy "Owners, admins and members can add notes to their tenant"
  on public.notes
  for insert
  to authenticated
  with check (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin', 'member')
  );
comment on policy "Owners, admins and members can add notes to their tenant"
  on public.notes is
  'Viewers cannot write; nobody can insert a row for another tenant (42501)';
create policy "Owners, admins and members can change their tenant's notes"
  on public.notes
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
comment on policy "Owners, admins and members can change their tenant's notes"
  on public.notes is
  'The with check stops moving a row to another tenant by updating tenant_id (42501)';
create policy "Owners and admins can delete their tenant's notes"
  on public.notes
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin')
  );
comment on policy "Owners and admins can delete their tenant's notes"
  on public.notes is
  'Delete rule, part 1: owners and admins delete any row of their tenant';
create policy "Members can delete notes they created"
  on public.notes
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) = 'member'
    and created_by = (select auth.uid())
  );
comment on policy "Members can delete notes they created"
  on public.notes is
  'Delete rule, part 2: members delete only rows they created; viewers delete nothing';

create policy "Users of a tenant can read its activities"
  on public.activities
  for select
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) is not null
  );
comment on policy "Users of a tenant can read its activities"
  on public.activities is
  'Every tenant role (owner, admin, member, viewer) reads the rows of the tenant in its claims, and only '
  'those';
create policy "Owners, admins and members can add activities to their tenant"
  on public.activities
  for insert
  to authenticated
  with check (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin', 'member')
  );
comment on policy "Owners, admins and members can add activities to their tenant"
  on public.activities is
  'Viewers cannot write; nobody can insert a row for another tenant (42501)';
create policy "Owners, admins and members can change their tenant's activities"
  on public.activities
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
comment on policy "Owners, admins and members can change their tenant's activities"
  on public.activities is
  'The with check stops moving a row to another tenant by updating tenant_id (42501)';
create policy "Owners and admins can delete their tenant's activities"
  on public.activities
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin')
  );
comment on policy "Owners and admins can delete their tenant's activities"
  on public.activities is
  'Delete rule, part 1: owners and admins delete any row of their tenant';
create policy "Members can delete activities they created"
  on public.activities
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) = 'member'
    and created_by = (select auth.uid())
  );
comment on policy "Members can delete activities they created"
  on public.activities is
  'Delete rule, part 2: members delete only rows they created; viewers delete nothing';

create policy "Users of a tenant can read its documents"
  on public.documents
  for select
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) is not null
  );
comment on policy "Users of a tenant can read its documents"
  on public.documents is
  'Every tenant role (owner, admin, member, viewer) reads the rows of the tenant in its claims, and only '
  'those';
create policy "Owners, admins and members can add documents to their tenant"
  on public.documents
  for insert
  to authenticated
  with check (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin', 'member')
  );
comment on policy "Owners, admins and members can add documents to their tenant"
  on public.documents is
  'Viewers cannot write; nobody can insert a row for another tenant (42501)';
create policy "Owners, admins and members can change their tenant's documents"
  on public.documents
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
comment on policy "Owners, admins and members can change their tenant's documents"
  on public.documents is
  'The with check stops moving a row to another tenant by updating tenant_id (42501)';
create policy "Owners and admins can delete their tenant's documents"
  on public.documents
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) in ('owner', 'admin')
  );
comment on policy "Owners and admins can delete their tenant's documents"
  on public.documents is
  'Delete rule, part 1: owners and admins delete any row of their tenant';
create policy "Members can delete documents they created"
  on public.documents
  for delete
  to authenticated
  using (
    tenant_id = (select private.request_tenant_id())
    and (select private.request_tenant_role()) = 'member'
    and created_by = (select auth.uid())
  );
comment on policy "Members can delete documents they created"
  on public.documents is
  'Delete rule, part 2: members delete only rows they created; viewers delete nothing';

-- Functions ---------------------------------------------------------------------------------------
-- None: the trigger functions and claim helpers live in 20261126140100_private.sql.

-- Schema version ----------------------------------------------------------------------------------
insert into private.schema_info (version, name) values ('20261126140500', 'collaboration');
