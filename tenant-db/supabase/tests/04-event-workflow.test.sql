-- The event workflow: allowed and forbidden status transitions, who may approve, the stage timestamps the
-- trigger stamps, and the restore switch for the owner role (seeds, imports, tenant moves).
-- The graph is documented in private.enforce_event_workflow(). Independent of seed data.
begin;
select plan(48);

create schema tests;
grant usage on schema tests to authenticated, service_role;

create function tests.user_id(tenant_role text) returns uuid
language sql immutable
as $$ select md5('workflow-user:' || tenant_role)::uuid $$;

create function tests.act_as(tenant_role text) returns void
language plpgsql
as $$
begin
  perform set_config('role', 'authenticated', true);
  perform set_config('request.jwt.claims', jsonb_build_object(
    'sub', tests.user_id(tenant_role), 'role', 'authenticated',
    'tenant_id', 'f0000000-0000-4000-8000-00000000000a', 'tenant_role', tenant_role)::text, true);
end
$$;

create function tests.act_as_owner() returns void
language plpgsql
as $$
begin
  perform set_config('role', 'none', true);
  perform set_config('request.jwt.claims', '', true);
end
$$;

-- Moves an event to a status; returns nothing, so lives_ok/throws_ok can wrap it.
create function tests.move(event_name text, new_status text) returns void
language plpgsql
as $$
begin
  -- The fixture tenant's event only: the owner role and service_role see every tenant's rows.
  update public.events set status = new_status
  where name = event_name and tenant_id = 'f0000000-0000-4000-8000-00000000000a';
end
$$;

create function tests.move_sql(event_name text, new_status text) returns text
language sql immutable
as $$ select format('select tests.move(%L, %L)', event_name, new_status) $$;

grant execute on all functions in schema tests to authenticated, service_role;

-- Member: creating events ---------------------------------------------------------------------------------
select tests.act_as('member');

select lives_ok($$insert into public.events (name) values ('Gala «2027» 🎉')$$,
  'member creates an event');
select results_eq($$select status, status_changed_at is not null, created_by from public.events where name = 'Gala «2027» 🎉'$$,
  $$values ('draft', true, tests.user_id('member'))$$,
  'a new event starts in draft with status_changed_at stamped');
select lives_ok($$insert into public.events (name, status) values ('Offsite', 'planning')$$,
  'member may create an event directly in planning');
select ok((select planning_at = now() from public.events where name = 'Offsite'),
  'creating in planning stamps planning_at');
select throws_ok($$insert into public.events (name, status) values ('Sneaky', 'approved')$$, '23514', null,
  'member cannot create an event already approved');
select throws_ok($$insert into public.events (name, status) values ('Sneaky', 'completed')$$, '23514', null,
  'member cannot create an event already completed');
select throws_ok($$insert into public.events (name, status) values ('Typo', 'aproved')$$, '23514', null,
  'an unknown status is rejected by the check constraint');

-- Member: through planning to approval ---------------------------------------------------------------
select throws_ok(tests.move_sql('Gala «2027» 🎉', 'approved'), '23514', null,
  'draft → approved is not allowed');
select throws_ok(tests.move_sql('Gala «2027» 🎉', 'completed'), '23514',
  'Cannot change event status: draft → completed is not an allowed transition',
  'draft → completed is not allowed, and the message names both states');
select lives_ok(tests.move_sql('Gala «2027» 🎉', 'planning'), 'draft → planning is allowed');
select results_eq($$select status, previous_status, planning_at = now(), status_changed_at = now()
                    from public.events where name = 'Gala «2027» 🎉'$$,
  $$values ('planning', 'draft', true, true)$$,
  'entering planning records previous_status and stamps planning_at and status_changed_at');
select throws_ok(tests.move_sql('Gala «2027» 🎉', 'approved'), '23514', null,
  'planning → approved is not allowed while approval is required');
select lives_ok(tests.move_sql('Gala «2027» 🎉', 'pending_approval'), 'planning → pending_approval is allowed');
select results_eq($$select approval_requested_by, pending_approval_at = now() from public.events where name = 'Gala «2027» 🎉'$$,
  $$values (tests.user_id('member'), true)$$,
  'requesting approval records who asked and when');
select throws_ok(tests.move_sql('Gala «2027» 🎉', 'approved'), '42501', null,
  'a member cannot approve (pending_approval → approved)');
select lives_ok(tests.move_sql('Gala «2027» 🎉', 'planning'), 'pending_approval → planning (rejected) is allowed');
select lives_ok(tests.move_sql('Gala «2027» 🎉', 'pending_approval'), 'and back to pending_approval');

-- Viewer: no changes ---------------------------------------------------------------------------------------
select tests.act_as('viewer');
select is_empty($$update public.events set status = 'cancelled' where name = 'Gala «2027» 🎉' returning id$$,
  'a viewer cannot change an event''s status (filtered silently)');

-- Owner: approval and the way to closed ------------------------------------------------------------------
select tests.act_as('owner');
select lives_ok(tests.move_sql('Gala «2027» 🎉', 'approved'), 'an owner approves (pending_approval → approved)');
select results_eq($$select approved_by, approved_at = now() from public.events where name = 'Gala «2027» 🎉'$$,
  $$values (tests.user_id('owner'), true)$$,
  'approval records who approved and when');
select throws_ok(tests.move_sql('Gala «2027» 🎉', 'in_progress'), '23514', null,
  'approved → in_progress skips scheduling and is not allowed');
select lives_ok(tests.move_sql('Gala «2027» 🎉', 'scheduled'), 'approved → scheduled is allowed');
select lives_ok(tests.move_sql('Gala «2027» 🎉', 'planning'), 'scheduled → planning (re-plan) is allowed');
select throws_ok(tests.move_sql('Gala «2027» 🎉', 'scheduled'), '23514', null,
  'after re-planning the event must be approved again (planning → scheduled is not allowed)');
select lives_ok(tests.move_sql('Gala «2027» 🎉', 'pending_approval'), 'planning → pending_approval again');
select lives_ok(tests.move_sql('Gala «2027» 🎉', 'approved'), 'pending_approval → approved again');
select lives_ok(tests.move_sql('Gala «2027» 🎉', 'scheduled'), 'approved → scheduled again');
select lives_ok(tests.move_sql('Gala «2027» 🎉', 'in_progress'), 'scheduled → in_progress is allowed');
select throws_ok(tests.move_sql('Gala «2027» 🎉', 'cancelled'), '23514', null,
  'an event in progress cannot be cancelled');
select lives_ok(tests.move_sql('Gala «2027» 🎉', 'completed'), 'in_progress → completed is allowed');
select throws_ok(tests.move_sql('Gala «2027» 🎉', 'cancelled'), '23514', null,
  'a completed event cannot be cancelled');
select lives_ok(tests.move_sql('Gala «2027» 🎉', 'closed'), 'completed → closed is allowed');
select throws_ok(tests.move_sql('Gala «2027» 🎉', 'planning'), '23514', null, 'closed is final');
select results_eq($$select num_nonnulls(planning_at, pending_approval_at, approved_at, scheduled_at, in_progress_at,
                                        completed_at, closed_at), cancelled_at is null
                    from public.events where name = 'Gala «2027» 🎉'$$,
  $$values (7, true)$$,
  'a closed event carries the timestamp of every stage it passed, and no cancelled_at');
select lives_ok($$update public.events set post_event_notes = 'Great night' where name = 'Gala «2027» 🎉'$$,
  'other fields of a closed event can still be edited');

-- Admin: cancellation and the approval shortcut ----------------------------------------------------------
select tests.act_as('admin');
select lives_ok(tests.move_sql('Offsite', 'cancelled'), 'planning → cancelled is allowed');
select ok((select cancelled_at = now() and previous_status = 'planning' from public.events where name = 'Offsite'),
  'cancelling stamps cancelled_at');
select throws_ok(tests.move_sql('Offsite', 'draft'), '23514', null, 'a cancelled event cannot be reopened');
select lives_ok(tests.move_sql('Offsite', 'closed'), 'cancelled → closed is allowed');
select lives_ok($$insert into public.events (name, status, approval_required) values ('Team lunch', 'planning', false)$$,
  'admin creates an event that needs no approval');
select lives_ok(tests.move_sql('Team lunch', 'approved'),
  'planning → approved directly when approval_required is false (by an admin)');

-- API users cannot use the restore switch ------------------------------------------------------------------
select tests.act_as('owner');
set local tenant_router.restore = on;
select lives_ok($$insert into public.events (name) values ('Restore attempt')$$, 'owner creates a draft event');
select throws_ok(tests.move_sql('Restore attempt', 'completed'), '23514', null,
  'an API user with tenant_router.restore = on is still bound by the graph');

-- The owner role (seeds, imports, moves) -------------------------------------------------------------------
select tests.act_as_owner();
set local tenant_router.restore = '';
select lives_ok($$insert into public.events (tenant_id, name, status, completed_at)
                  values ('f0000000-0000-4000-8000-00000000000a', 'Imported', 'completed', '2025-05-01 10:00+00')$$,
  'the owner role may insert an event in any status');
select results_eq($$select completed_at, status_changed_at is not null from public.events
                    where name = 'Imported' and tenant_id = 'f0000000-0000-4000-8000-00000000000a'$$,
  $$values ('2025-05-01 10:00+00'::timestamptz, true)$$,
  'an imported stage timestamp is kept, a missing status_changed_at is filled');
select throws_ok(tests.move_sql('Restore attempt', 'completed'), '23514', null,
  'without the restore switch the owner role is bound by the graph too');
set local tenant_router.restore = on;
select lives_ok(tests.move_sql('Restore attempt', 'completed'),
  'with tenant_router.restore = on the owner role may set any status (a move restoring a row)');

-- service_role (admin tooling) is bound by the graph like the owner role unless it sets the switch
set local tenant_router.restore = '';
set local role service_role;
select throws_ok(tests.move_sql('Imported', 'planning'), '23514', null,
  'service_role is bound by the graph (completed → planning)');
reset role;

select * from finish();
rollback;
