-- Data sources: the databases tenants' business rows live in (the shared default one, dedicated ones).
--
-- Credentials are stored pgsodium-style beside the row: ciphertext, nonce and key id in their own
-- columns. The functions encrypt one JSON document per data source with AES-256-GCM (WebCrypto):
--   kind postgres: {"url": "postgresql://…"}
--   kind supabase: {"url": "https://….supabase.co", "anon_key": …, "service_key": …, "jwt_secret": …}
-- with associated data binding the ciphertext to this row's id and field, so a ciphertext copied to
-- another row fails to decrypt. The database cannot decrypt; the CHECKs below make a plain-text or
-- encoded-text value fail to insert, which is what a mistaken `insert … values ('postgresql://…')` or a
-- base64/hex string stored as bytes would look like.
--
-- Sections in the project's fixed order; a trigger function sits right before its trigger.

-- Types ----------------------------------------------------------------------------------------------
-- none: kinds and states are text + CHECK.

-- Tables ---------------------------------------------------------------------------------------------

create table private.data_sources (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  kind text not null,
  is_default boolean not null default false,
  host text,
  port integer,
  database_name text,
  project_ref text,
  secret_ciphertext bytea not null,
  secret_nonce bytea not null,
  secret_key_id text not null references private.encryption_keys (id),
  pool_max integer not null default 10,
  status text not null default 'active',
  schema_version text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),

  constraint data_sources_name_key unique (name),
  -- Names appear in CLI arguments and URLs: lowercase, 1–63 chars, no leading/trailing separator.
  -- `default` is the CLI's word for "the default data source"; a uuid-shaped name would be ambiguous
  -- wherever an id or a name is accepted.
  constraint data_sources_name_format
    check (name ~ '^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$'),
  constraint data_sources_name_not_reserved
    check (name <> 'default'
           and name !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'),
  constraint data_sources_kind_valid
    check (kind in ('postgres', 'supabase')),
  constraint data_sources_status_valid
    check (status in ('active', 'draining', 'disabled')),
  -- Tenants without a data source use the default one, so it can never be switched off.
  constraint data_sources_default_not_disabled
    check (not (is_default and status = 'disabled')),

  -- Display-only fields, never credentials: a host cannot contain '@' or '/', so it cannot hold a URL
  -- with a password in it.
  constraint data_sources_host_format
    check (host ~ '^[A-Za-z0-9._:\[\]-]{1,255}$'),
  constraint data_sources_port_range
    check (port between 1 and 65535),
  constraint data_sources_database_name_format
    check (char_length(database_name) between 1 and 63
           and database_name !~ '[/@?#:[:space:][:cntrl:]]'),
  constraint data_sources_project_ref_format
    check (project_ref ~ '^[a-z0-9]{1,63}$'),
  constraint data_sources_project_ref_only_for_supabase
    check (kind = 'supabase' or project_ref is null),

  -- AES-GCM output is the ciphertext followed by a 16-byte tag, so at least 17 bytes; the upper bound
  -- keeps a runaway value out of every cached row.
  constraint data_sources_secret_ciphertext_length
    check (octet_length(secret_ciphertext) between 17 and 16384),
  -- The start of a plain-text credential: a connection string, a URL, JSON, a JWT (base64 of '{"'),
  -- a Supabase API key.
  constraint data_sources_secret_ciphertext_not_plaintext
    check (substring(secret_ciphertext from 1 for 8) <> 'postgres'::bytea
           and substring(secret_ciphertext from 1 for 4) <> 'http'::bytea
           and substring(secret_ciphertext from 1 for 3) <> 'eyJ'::bytea
           and substring(secret_ciphertext from 1 for 3) <> 'sb_'::bytea
           and substring(secret_ciphertext from 1 for 1) not in ('{'::bytea, '['::bytea, '"'::bytea)),
  -- Ciphertext is random bytes; a value made only of printable ASCII, tab and newlines is text
  -- (plain, base64, hex or the legacy iv:authTag:ciphertext form). For 17+ random bytes the chance of
  -- a false alarm is below 1e-7, and below 1e-15 for the shortest real credential document.
  constraint data_sources_secret_ciphertext_not_text
    check (encode(secret_ciphertext, 'hex') !~ '^(0[9ad]|[2-7][0-9a-f])*$'),
  -- A 96-bit GCM nonce; an all-zero one means the encryptor never filled it in.
  constraint data_sources_secret_nonce_length
    check (octet_length(secret_nonce) = 12),
  constraint data_sources_secret_nonce_not_zero
    check (secret_nonce <> '\x000000000000000000000000'::bytea),

  constraint data_sources_pool_max_range
    check (pool_max between 1 and 100),
  constraint data_sources_schema_version_format
    check (schema_version ~ '^[0-9A-Za-z._-]{1,64}$')
);
comment on table private.data_sources is
  'Databases tenants are routed to. Credentials are encrypted by the functions; never readable by the API.';
comment on column private.data_sources.name is
  'Operator-facing unique name (tenant_shared, tenant_acme…), used by the CLI and the admin API.';
comment on column private.data_sources.kind is
  'postgres: a connection string (direct or Supavisor); supabase: a project URL with API keys and JWT secret.';
comment on column private.data_sources.is_default is
  'The data source of every tenant whose data_source_id is null. At most one.';
comment on column private.data_sources.host is
  'Display only (status tables, masked lists): host name, never used to connect.';
comment on column private.data_sources.port is 'Display only.';
comment on column private.data_sources.database_name is 'Display only.';
comment on column private.data_sources.project_ref is 'Display only, kind supabase: the project ref.';
comment on column private.data_sources.secret_ciphertext is
  'AES-256-GCM ciphertext || 16-byte tag of the credentials JSON. Audit entries show only a fingerprint.';
comment on column private.data_sources.secret_nonce is
  '96-bit random IV of secret_ciphertext; never reused under one key (unique with secret_key_id).';
comment on column private.data_sources.secret_key_id is
  'The key (private.encryption_keys.id) that encrypted secret_ciphertext; must be the active key when written.';
comment on column private.data_sources.pool_max is 'Maximum connections of this data source''s pool, per process.';
comment on column private.data_sources.status is
  'active: serves tenants; draining: serves its tenants, takes no new ones; disabled: serves nobody.';
comment on column private.data_sources.schema_version is
  'Tenant-schema version last seen by a health check or provision (informational, not a config change).';

-- Indexes --------------------------------------------------------------------------------------------

create unique index data_sources_one_default_idx
  on private.data_sources (is_default)
  where is_default;
comment on index private.data_sources_one_default_idx is
  'At most one default data source: a tenant without data_source_id must resolve to exactly one database.';

create unique index data_sources_key_nonce_idx
  on private.data_sources (secret_key_id, secret_nonce);
comment on index private.data_sources_key_nonce_idx is
  'A GCM nonce is never reused under one key (reuse breaks confidentiality); also blocks a ciphertext '
  'copied whole to another row, and indexes the foreign key to encryption_keys.';

-- Grants ---------------------------------------------------------------------------------------------
-- Only service_role. anon and authenticated lack USAGE on `private`; the revoke documents the intent.
revoke all on table private.data_sources from public, anon, authenticated;
grant select, insert, update, delete on table private.data_sources to service_role;

-- Triggers -------------------------------------------------------------------------------------------

create trigger data_sources_updated_at
  before update on private.data_sources
  for each row execute function private.set_updated_at();
comment on trigger data_sources_updated_at on private.data_sources is 'Keeps updated_at current.';

create function private.require_active_encryption_key()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE'
     and new.secret_ciphertext = old.secret_ciphertext
     and new.secret_nonce = old.secret_nonce
     and new.secret_key_id = old.secret_key_id then
    return new;
  end if;
  -- FOR SHARE waits for, and then sees, a concurrent status change of the key, so a secret can never
  -- be written under a key that is being retired at the same moment.
  perform 1
  from private.encryption_keys k
  where k.id = new.secret_key_id and k.status = 'active'
  for share;
  if not found then
    raise exception 'Data source secrets must be encrypted with the active key, not %', new.secret_key_id
      using errcode = '23514', hint = 'Encrypt with the key whose status is active.';
  end if;
  return new;
end;
$$;
comment on function private.require_active_encryption_key() is
  'BEFORE INSERT/UPDATE on data_sources: new ciphertext must use the active key, so rotation converges.';
revoke execute on function private.require_active_encryption_key() from public;

create trigger data_sources_require_active_key
  before insert or update of secret_ciphertext, secret_nonce, secret_key_id on private.data_sources
  for each row execute function private.require_active_encryption_key();
comment on trigger data_sources_require_active_key on private.data_sources is
  'New or changed ciphertext must be written with the active encryption key.';

create function private.prevent_retiring_key_in_use()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select 1 from private.data_sources d where d.secret_key_id = new.id) then
    raise exception 'Encryption key % still encrypts data source secrets', new.id
      using errcode = '23514', hint = 'Re-encrypt them with the active key (rotate-keys) first.';
  end if;
  return new;
end;
$$;
comment on function private.prevent_retiring_key_in_use() is
  'BEFORE UPDATE on encryption_keys: a key may be retired (and then destroyed) only once no ciphertext uses it.';
revoke execute on function private.prevent_retiring_key_in_use() from public;

create trigger encryption_keys_retire_only_unused
  before insert or update of status on private.encryption_keys
  for each row
  when (new.status = 'retired')
  execute function private.prevent_retiring_key_in_use();
comment on trigger encryption_keys_retire_only_unused on private.encryption_keys is
  'Retiring a key that still encrypts a data source secret would make that secret undecryptable.';

create trigger data_sources_notify
  after insert or update or delete on private.data_sources
  for each row execute function private.notify_config_change('schema_version');
comment on trigger data_sources_notify on private.data_sources is
  'Drops the functions'' cached clients and pools of a changed data source; a health check updating only '
  'schema_version sends nothing.';

create trigger data_sources_notify_truncate
  after truncate on private.data_sources
  for each statement execute function private.notify_config_change();
comment on trigger data_sources_notify_truncate on private.data_sources is
  'TRUNCATE skips row triggers: tell the functions to drop every cached data source.';

-- RLS enable -----------------------------------------------------------------------------------------
-- On although no API role can reach the schema: defence in depth if a grant is ever added by mistake.
alter table private.data_sources enable row level security;

-- Policies -------------------------------------------------------------------------------------------
-- none: service_role bypasses RLS, and no other role may read or change data sources.

-- Functions ------------------------------------------------------------------------------------------
-- none
