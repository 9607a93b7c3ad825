-- Tenancy at scale: what the application database's readers need at 100,000 tenants and 1,000,000
-- memberships (measured by `npm run bench:app-db`, plans checked by tests/app_db_scale_test.ts).
--
-- - The gateway's directory resolves a request's tenant on a cache miss with one query by user id; the
--   access-token hook and the policy helpers read memberships by user too. A covering index answers them
--   from the index alone (no heap page per membership, which on a busy user is hundreds of random reads).
-- - The tenant list pages by slug; filtered pages need indexes in slug order too.
-- - The read policies of tenants, tenant_members, audit_log and the moves tables compared every row with
--   the caller's memberships: `private.is_member(id)` is a function call per row (a user's
--   `select * from tenants` scanned all 100,000 tenants, 4 s; `tenant_members`, 25 s), and
--   `tenant_id in (select …)` is a hashed filter the planner guesses passes half the rows (a tenant admin's
--   latest 50 audit entries walked the whole log backwards, 2.8 s). `= any (array(select …))` evaluates the
--   caller's tenants once and hands them to the index as a list: the same rows, milliseconds.
--
-- The indexes are rebuilt in the migration's transaction, which holds writes to tenants and tenant_members
-- (not reads) for the build: a few seconds per million memberships. Apply it when such a pause is fine.
--
-- Sections in the project's fixed order.

-- Indexes --------------------------------------------------------------------------------------------

drop index public.tenant_members_user_id_idx;
create index tenant_members_user_id_idx on public.tenant_members (user_id) include (tenant_id, role);
comment on index public.tenant_members_user_id_idx is
  'Every policy, helper, the access-token hook and the gateway''s directory look memberships up by user '
  '(the primary key leads with tenant_id); tenant_id and role ride along, so the lookups never read the heap.';

-- The admin API's and the CLI's tenant list pages by slug (`slug > <cursor> order by slug limit n`: the
-- unique slug index). Filtered lists walk an index of their own in the same order, instead of reading the
-- slug index until enough rows pass the filter (a page of suspended tenants read 10,000 rows; of one data
-- source's tenants, 20,000).
create index tenants_status_slug_idx on public.tenants (status, slug);
comment on index public.tenants_status_slug_idx is
  'Pages of the tenant list filtered by status (GET /tenants?status=…), in slug order.';

drop index public.tenants_data_source_id_idx;
create index tenants_data_source_id_idx on public.tenants (data_source_id, slug);
comment on index public.tenants_data_source_id_idx is
  'Tenants of a data source (health, check, provision, pages of GET /tenants?data_source=…, in slug order) '
  'and the foreign-key check when one is deleted.';

-- Policies -------------------------------------------------------------------------------------------
-- Same names, same rows: only the form of the condition changes (see above).

alter policy "Members can read their tenants"
  on public.tenants
  using (id = any (array(select private.tenant_ids_with_role(array['owner', 'admin', 'member', 'viewer']))));

alter policy "Members can read the members of their tenants"
  on public.tenant_members
  using (tenant_id = any (array(
    select private.tenant_ids_with_role(array['owner', 'admin', 'member', 'viewer'])
  )));

alter policy "Owners and admins can read their tenant's audit entries"
  on public.audit_log
  using (tenant_id = any (array(select private.tenant_ids_with_role(array['owner', 'admin']))));

alter policy "Owners and admins can read their tenant's moves"
  on public.tenant_moves
  using (tenant_id = any (array(select private.tenant_ids_with_role(array['owner', 'admin']))));

alter policy "Owners and admins can read their tenant's move progress"
  on public.tenant_move_tables
  using (tenant_id = any (array(select private.tenant_ids_with_role(array['owner', 'admin']))));

-- Functions ------------------------------------------------------------------------------------------

comment on function private.tenant_ids_with_role(text[]) is
  'The tenants where the requesting user holds one of the roles. For policies, as '
  '`tenant_id = any (array(select private.tenant_ids_with_role(…)))`: evaluated once per statement, then '
  'an index lookup per tenant (`in (select …)` makes the planner guess half the table matches).';
