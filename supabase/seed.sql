-- Demo seed of the application database: the tenants, users and memberships of CONTRACT.md, with the
-- stable ids of docs/demo-ids.md (shared with the tenant databases' seeds and the tests).
--
-- Data sources and encryption keys are not seeded: their credentials must be encrypted with the key
-- generated for this machine, so the local stack registers them after a reset (keygen, data-source
-- add) and routes acme to tenant_acme. Until then every tenant uses the default data source
-- (data_source_id null).
--
-- Idempotent, so it can be re-run on a database that already has it.

-- Users: the GoTrue columns every Supabase auth.users has. No passwords: tests sign their own tokens
-- with the local JWT secret. olivia has two memberships and no default_tenant, so her tokens carry no
-- tenant claim and she must send x-tenant-id.
insert into auth.users (
  instance_id, id, aud, role, email, email_confirmed_at, confirmation_token, recovery_token,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at
)
values
  ('00000000-0000-0000-0000-000000000000', 'b0000000-0000-4000-8000-000000000001', 'authenticated',
   'authenticated', 'alice@acme.test', now(), '', '',
   '{"provider": "email", "providers": ["email"]}', '{"name": "Alice Anderson"}', now(), now()),
  ('00000000-0000-0000-0000-000000000000', 'b0000000-0000-4000-8000-000000000002', 'authenticated',
   'authenticated', 'bob@acme.test', now(), '', '',
   '{"provider": "email", "providers": ["email"]}', '{"name": "Bob O''Brien"}', now(), now()),
  ('00000000-0000-0000-0000-000000000000', 'b0000000-0000-4000-8000-000000000003', 'authenticated',
   'authenticated', 'grace@globex.test', now(), '', '',
   '{"provider": "email", "providers": ["email"]}', '{"name": "Grace Hopper"}', now(), now()),
  ('00000000-0000-0000-0000-000000000000', 'b0000000-0000-4000-8000-000000000004', 'authenticated',
   'authenticated', 'ivan@initech.test', now(), '', '',
   '{"provider": "email", "providers": ["email"]}', '{"name": "Ivan Ivanović"}', now(), now()),
  ('00000000-0000-0000-0000-000000000000', 'b0000000-0000-4000-8000-000000000005', 'authenticated',
   'authenticated', 'olivia@multi.test', now(), '', '',
   '{"provider": "email", "providers": ["email"]}', '{"name": "Olivia Øster"}', now(), now()),
  ('00000000-0000-0000-0000-000000000000', 'b0000000-0000-4000-8000-000000000006', 'authenticated',
   'authenticated', 'mallory@example.test', now(), '', '',
   '{"provider": "email", "providers": ["email"]}', '{"name": "Mallory"}', now(), now())
on conflict (id) do update
  set email = excluded.email,
      raw_app_meta_data = excluded.raw_app_meta_data,
      raw_user_meta_data = excluded.raw_user_meta_data;

insert into public.tenants (id, slug, name)
values
  ('a0000000-0000-4000-8000-000000000001', 'acme', 'Acme Corporation'),
  ('a0000000-0000-4000-8000-000000000002', 'globex', 'Globex Corporation'),
  ('a0000000-0000-4000-8000-000000000003', 'initech', 'Initech')
on conflict (id) do nothing;

insert into public.tenant_members (tenant_id, user_id, role)
values
  ('a0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000001', 'owner'),   -- alice
  ('a0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000002', 'viewer'),  -- bob
  ('a0000000-0000-4000-8000-000000000002', 'b0000000-0000-4000-8000-000000000003', 'owner'),   -- grace
  ('a0000000-0000-4000-8000-000000000003', 'b0000000-0000-4000-8000-000000000004', 'member'),  -- ivan
  ('a0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000005', 'member'),  -- olivia
  ('a0000000-0000-4000-8000-000000000002', 'b0000000-0000-4000-8000-000000000005', 'member')   -- olivia
on conflict (tenant_id, user_id) do nothing;
