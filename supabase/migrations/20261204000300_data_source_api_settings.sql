-- PostgREST settings a Supabase project can turn on, per data source (issue #11): aggregate functions in
-- `select` (PostgREST's `db-aggregates-enabled`) and EXPLAIN plans (`db-plan-enabled`). Both are off, as
-- in Supabase. They apply to `postgres` data sources, which the gateway serves itself; a `supabase` data
-- source forwards to its project's PostgREST, whose own configuration decides, so they stay off there.

alter table private.data_sources
  add column aggregates_enabled boolean not null default false,
  add column plan_enabled boolean not null default false,
  add constraint data_sources_api_settings_postgres_only
    check (kind = 'postgres' or not (aggregates_enabled or plan_enabled));

comment on column private.data_sources.aggregates_enabled is
  'avg(), count(), max(), min(), sum() in select (PostgREST''s db-aggregates-enabled); off: 400 PGRST123. postgres kind only.';
comment on column private.data_sources.plan_enabled is
  'EXPLAIN plans for Accept: application/vnd.pgrst.plan (PostgREST''s db-plan-enabled); off: 406 PGRST107. postgres kind only.';
