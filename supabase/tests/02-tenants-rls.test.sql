-- public.tenants through RLS, per actor: who reads which tenants, who may rename one, and that routing,
-- status and slug stay with service_role.
begin;
select plan(34);

-- Fixtures ------------------------------------------------------------------------------------------
-- An awkward tenant (quotes, unicode, emoji) owned by an awkward user, besides the demo seed.
insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data)
values ('c0000000-0000-4000-8000-000000000001', 'authenticated', 'authenticated', 'zoë+owner@example.test',
        '{"provider": "email", "providers": ["email"]}', '{"name": "Zoë D''Artagnan"}');
insert into public.tenants (id, slug, name)
values ('c1000000-0000-4000-8000-000000000001', 'o-brien-sons', 'O''Brien & Sons — «Ünïcødé» 🚀');
insert into public.tenant_members (tenant_id, user_id, role)
values ('c1000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001', 'owner');

\set alice   '{"sub": "b0000000-0000-4000-8000-000000000001", "role": "authenticated"}'
\set bob     '{"sub": "b0000000-0000-4000-8000-000000000002", "role": "authenticated"}'
\set grace   '{"sub": "b0000000-0000-4000-8000-000000000003", "role": "authenticated"}'
\set ivan    '{"sub": "b0000000-0000-4000-8000-000000000004", "role": "authenticated"}'
\set olivia  '{"sub": "b0000000-0000-4000-8000-000000000005", "role": "authenticated"}'
\set mallory '{"sub": "b0000000-0000-4000-8000-000000000006", "role": "authenticated"}'
\set zoe     '{"sub": "c0000000-0000-4000-8000-000000000001", "role": "authenticated"}'

-- anon ----------------------------------------------------------------------------------------------
set local role anon;
select set_config('request.jwt.claims', '{"role": "anon"}', true);

select throws_ok($$select * from public.tenants$$, '42501', 'permission denied for table tenants',
  'anon cannot read tenants');
select throws_ok($$update public.tenants set name = 'x'$$, '42501', 'permission denied for table tenants',
  'anon cannot update tenants');
select throws_ok($$insert into public.tenants (slug, name) values ('anon-co', 'Anon')$$, '42501',
  'permission denied for table tenants', 'anon cannot create tenants');
reset role;

-- alice: acme owner ---------------------------------------------------------------------------------
set local role authenticated;
select set_config('request.jwt.claims', :'alice', true);

select results_eq($$select slug from public.tenants order by slug$$, array['acme'],
  'alice (acme owner) sees only acme');
select results_eq(
  $$update public.tenants set name = 'Acme, "Inc." — Ünïcødé' where slug = 'acme' returning name$$,
  array['Acme, "Inc." — Ünïcødé'],
  'an owner can rename her tenant, quotes and unicode included');
select throws_ok($$update public.tenants set slug = 'acme-2' where slug = 'acme'$$, '42501',
  'permission denied for table tenants', 'an owner cannot change her tenant''s slug');
select throws_ok($$update public.tenants set data_source_id = null where slug = 'acme'$$, '42501',
  'permission denied for table tenants', 'an owner cannot re-route her tenant to another data source');
select throws_ok($$update public.tenants set status = 'active' where slug = 'acme'$$, '42501',
  'permission denied for table tenants', 'an owner cannot change her tenant''s status');
select is_empty($$update public.tenants set name = 'Hijacked' where slug = 'globex' returning id$$,
  'an owner of acme cannot rename globex (filtered silently)');
select throws_ok($$insert into public.tenants (slug, name) values ('alice-co', 'Alice Co')$$, '42501',
  'permission denied for table tenants', 'an owner cannot create tenants through the API');
select throws_ok($$delete from public.tenants where slug = 'acme'$$, '42501',
  'permission denied for table tenants', 'an owner cannot delete her tenant through the API');
reset role;

select is((select name from public.tenants where slug = 'acme'), 'Acme, "Inc." — Ünïcødé',
  'alice''s rename is stored');
select is((select name from public.tenants where slug = 'globex'), 'Globex Corporation',
  'globex kept its name');

-- bob: acme viewer ----------------------------------------------------------------------------------
set local role authenticated;
select set_config('request.jwt.claims', :'bob', true);

select results_eq($$select slug from public.tenants order by slug$$, array['acme'], 'bob (acme viewer) sees only acme');
select is_empty($$update public.tenants set name = 'Bob''s' where slug = 'acme' returning id$$,
  'a viewer cannot rename his tenant');
reset role;

-- olivia: acme member and globex member -------------------------------------------------------------
set local role authenticated;
select set_config('request.jwt.claims', :'olivia', true);

select results_eq($$select slug from public.tenants order by slug$$, array['acme', 'globex'],
  'olivia sees both her tenants and no other');
select is_empty($$update public.tenants set name = 'Olivia''s' where slug = 'acme' returning id$$,
  'a member cannot rename acme');
select is_empty($$update public.tenants set name = 'Olivia''s' where slug = 'globex' returning id$$,
  'a member cannot rename globex');
reset role;

-- grace: globex owner -------------------------------------------------------------------------------
set local role authenticated;
select set_config('request.jwt.claims', :'grace', true);

select results_eq($$select slug from public.tenants order by slug$$, array['globex'], 'grace sees only globex');
select results_eq($$update public.tenants set name = 'Globex Ltd' where slug = 'globex' returning name$$,
  array['Globex Ltd'], 'grace can rename globex');
select is_empty($$update public.tenants set name = 'Hijacked' where slug = 'acme' returning id$$,
  'grace cannot rename acme');
reset role;

-- ivan: initech member ------------------------------------------------------------------------------
set local role authenticated;
select set_config('request.jwt.claims', :'ivan', true);

select results_eq($$select slug from public.tenants order by slug$$, array['initech'], 'ivan sees only initech');
select is_empty($$update public.tenants set name = 'Ivan''s' where slug = 'initech' returning id$$,
  'a member cannot rename initech');
reset role;

-- zoë: owner of the awkward tenant ------------------------------------------------------------------
set local role authenticated;
select set_config('request.jwt.claims', :'zoe', true);

select results_eq($$select name from public.tenants$$, array['O''Brien & Sons — «Ünïcødé» 🚀'],
  'zoë sees her tenant, name intact');
select results_eq(
  $$update public.tenants set name = 'D''Artagnan & Fils — ½ "ünï"' where slug = 'o-brien-sons' returning name$$,
  array['D''Artagnan & Fils — ½ "ünï"'],
  'zoë renames her tenant to another awkward name');
reset role;

-- mallory: no membership ----------------------------------------------------------------------------
set local role authenticated;
select set_config('request.jwt.claims', :'mallory', true);

select is_empty($$select id from public.tenants$$, 'mallory, with no membership, sees no tenant');
select is_empty($$select id from public.tenants where id = 'a0000000-0000-4000-8000-000000000001'$$,
  'mallory cannot read acme even by id');
select is_empty($$update public.tenants set name = 'Pwned' returning id$$, 'mallory cannot rename any tenant');
reset role;

-- authenticated without a subject -------------------------------------------------------------------
set local role authenticated;
select set_config('request.jwt.claims', '{"role": "authenticated"}', true);

select is_empty($$select id from public.tenants$$, 'a token without sub sees no tenant');
reset role;

-- service_role --------------------------------------------------------------------------------------
set local role service_role;
select set_config('request.jwt.claims', '{"role": "service_role"}', true);

select results_eq(
  $$select slug from public.tenants where slug in ('acme', 'globex', 'initech', 'o-brien-sons') order by slug$$,
  array['acme', 'globex', 'initech', 'o-brien-sons'],
  'service_role sees every tenant');
select results_eq($$insert into public.tenants (slug, name) values ('pgtap-umbrella', 'Umbrella') returning slug$$,
  array['pgtap-umbrella'], 'service_role creates tenants');
select results_eq($$update public.tenants set status = 'suspended' where slug = 'pgtap-umbrella' returning status$$,
  array['suspended'], 'service_role suspends tenants');
select results_eq($$delete from public.tenants where slug = 'pgtap-umbrella' returning slug$$,
  array['pgtap-umbrella'], 'service_role deletes tenants');
select throws_ok($$truncate public.tenants cascade$$, '42501', 'permission denied for table tenants',
  'service_role cannot truncate tenants');
reset role;

select * from finish();
rollback;
