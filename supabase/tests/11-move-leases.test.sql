-- Move leases: one process at a time holds a move, a dead one's lease expires and another takes over, the
-- heartbeat fails once taken over, and a freeze ends with the lease of the move holding it.
begin;
select plan(18);

-- Fixtures ------------------------------------------------------------------------------------------
update private.encryption_keys set status = 'decrypt_only' where status = 'active';
insert into private.encryption_keys (id, status) values ('k-leases', 'active');
insert into private.data_sources (id, name, kind, secret_ciphertext, secret_nonce, secret_key_id)
values ('d2000000-0000-4000-8000-000000000001', 'lease-target', 'postgres',
        extensions.digest('lease ciphertext', 'sha512'),
        substring(extensions.digest('lease nonce', 'sha256') from 1 for 12), 'k-leases');
insert into public.tenant_moves (id, tenant_id, target_data_source_id, status)
values ('e2000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001',
        'd2000000-0000-4000-8000-000000000001', 'copying');

set local role service_role;
select set_config('request.jwt.claims', '{"role": "service_role", "iss": "tenant-router-cli"}', true);

-- Claiming ------------------------------------------------------------------------------------------
select results_eq(
  $$select id from private.orphaned_moves() where id = 'e2000000-0000-4000-8000-000000000001'$$,
  $$values ('e2000000-0000-4000-8000-000000000001'::uuid)$$,
  'an unfinished move nobody holds is orphaned');
select ok(private.claim_move_lease('e2000000-0000-4000-8000-000000000001', 'worker-a', 30),
  'a process claims a move nobody holds');
select ok(not exists (select from private.orphaned_moves() where id = 'e2000000-0000-4000-8000-000000000001'),
  'a move under a live lease is not orphaned');
select ok(not private.claim_move_lease('e2000000-0000-4000-8000-000000000001', 'worker-b', 30),
  'another process cannot claim it while the lease lives');
select ok(private.claim_move_lease('e2000000-0000-4000-8000-000000000001', 'worker-a', 30),
  'its holder claims it again (a resume in the same process)');
select ok(private.renew_move_lease('e2000000-0000-4000-8000-000000000001', 'worker-a', 30),
  'the holder renews its lease');
select ok(not private.renew_move_lease('e2000000-0000-4000-8000-000000000001', 'worker-b', 30),
  'a process that does not hold it cannot renew it');

-- The holder dies: its lease expires ---------------------------------------------------------------
update public.tenant_moves set lease_expires_at = now() - interval '1 second'
where id = 'e2000000-0000-4000-8000-000000000001';
select results_eq(
  $$select id from private.orphaned_moves() where id = 'e2000000-0000-4000-8000-000000000001'$$,
  $$values ('e2000000-0000-4000-8000-000000000001'::uuid)$$,
  'a move whose lease expired is orphaned');
select ok(private.claim_move_lease('e2000000-0000-4000-8000-000000000001', 'worker-b', 30),
  'another process takes over a move whose lease expired');
select results_eq(
  $$select lease_owner, takeovers from public.tenant_moves where id = 'e2000000-0000-4000-8000-000000000001'$$,
  $$values ('worker-b'::text, 1)$$,
  'the takeover is counted and the new owner recorded');
select ok(not private.renew_move_lease('e2000000-0000-4000-8000-000000000001', 'worker-a', 30),
  'the old holder''s heartbeat fails once taken over: it must stop');

-- The freeze follows the lease ---------------------------------------------------------------------
update public.tenants set writes_frozen_at = now(), writes_frozen_until = now() + interval '1 second',
  writes_freeze_expected_ms = 400
where id = 'a0000000-0000-4000-8000-000000000001';
select ok(private.renew_move_lease('e2000000-0000-4000-8000-000000000001', 'worker-b', 30),
  'the new holder renews');
select ok((select writes_frozen_until > now() + interval '20 seconds' from public.tenants
           where id = 'a0000000-0000-4000-8000-000000000001'),
  'renewing the lease extends the freeze of the move''s tenant');
select throws_ok(
  $$update public.tenants set writes_freeze_expected_ms = 0 where id = 'a0000000-0000-4000-8000-000000000001'$$,
  '23514', null, 'a freeze is expected to last a positive time');

-- A resume holding the run lock takes the move at once ------------------------------------------------
select ok(private.claim_move_lease('e2000000-0000-4000-8000-000000000001', 'worker-c', 30, true),
  'a forced claim takes a live lease (the caller holds the run lock: the holder is gone)');
select ok(not private.renew_move_lease('e2000000-0000-4000-8000-000000000001', 'worker-b', 30),
  'the previous holder''s heartbeat fails after a forced claim');

-- Done --------------------------------------------------------------------------------------------
select lives_ok(
  $$select private.release_move_lease('e2000000-0000-4000-8000-000000000001', 'worker-c')$$,
  'the holder releases the move');
reset role;
set local role authenticated;
select set_config('request.jwt.claims', '{"sub": "b0000000-0000-4000-8000-000000000003", "role": "authenticated"}', true);
select throws_ok(
  $$select private.claim_move_lease('e2000000-0000-4000-8000-000000000001', 'mallory', 30)$$,
  '42501', null, 'an authenticated user cannot claim a move');
reset role;

select * from finish();
rollback;
