-- Encryption-key registry: which key ids exist and what each may be used for. The keys themselves live
-- only in the functions' secrets (TENANT_ENCRYPTION_KEYS) and the operator's environment; the database
-- never holds key material and cannot decrypt anything.
--
-- Rotation, in order (at most one key is active at any instant, so the order matters):
--   1. insert the new id with status 'decrypt_only' (the functions learn the key first);
--   2. in one transaction: old key → 'decrypt_only', new key → 'active';
--   3. re-encrypt every data source with the active key (private.data_sources refuses new ciphertext
--      under any other key);
--   4. old key → 'retired' (refused while any ciphertext still uses it: see the data_sources migration).
--
-- Sections in the project's fixed order; a trigger function sits right before its trigger.

-- Types ----------------------------------------------------------------------------------------------
-- none: states are text + CHECK, so adding one is a one-line migration.

-- Tables ---------------------------------------------------------------------------------------------

create table private.encryption_keys (
  id text primary key,
  status text not null,
  fingerprint text,
  created_at timestamptz not null default now(),
  activated_at timestamptz,
  retired_at timestamptz,

  -- Short ids only: a 32-character limit means no column here can hold a 64-hex (or 44-base64) key.
  constraint encryption_keys_id_format
    check (id ~ '^[a-z0-9][a-z0-9_.-]{0,31}$'),
  constraint encryption_keys_status_valid
    check (status in ('active', 'decrypt_only', 'retired')),
  -- A fingerprint is a prefix of a SHA-256 of the key (8 to 16 hex), too short to be the key itself.
  constraint encryption_keys_fingerprint_format
    check (fingerprint ~ '^[0-9a-f]{8,16}$'),
  constraint encryption_keys_active_has_activated_at
    check (status <> 'active' or activated_at is not null),
  constraint encryption_keys_retired_has_retired_at
    check (status <> 'retired' or retired_at is not null)
);
comment on table private.encryption_keys is
  'Registry of encryption-key ids and their state. Never key material: the functions hold the keys.';
comment on column private.encryption_keys.id is
  'Key id as named in TENANT_ENCRYPTION_KEYS (for example k1 or k20261126); stored beside each ciphertext.';
comment on column private.encryption_keys.status is
  'active: encrypts new secrets (at most one); decrypt_only: still decrypts, never encrypts; '
  'retired: nothing references it any more, the key may be destroyed.';
comment on column private.encryption_keys.fingerprint is
  'Optional first 8–16 hex of SHA-256(key), computed by the functions, to check that a deployed key matches.';
comment on column private.encryption_keys.activated_at is
  'When the key last became active (set by trigger).';
comment on column private.encryption_keys.retired_at is
  'When the key was retired (set by trigger).';

-- Indexes --------------------------------------------------------------------------------------------

create unique index encryption_keys_one_active_idx
  on private.encryption_keys (status)
  where status = 'active';
comment on index private.encryption_keys_one_active_idx is
  'At most one active key: new ciphertext is never ambiguous about which key wrote it.';

-- Grants ---------------------------------------------------------------------------------------------
-- Only service_role (the functions and the operator CLI). anon and authenticated lack USAGE on the
-- schema anyway; the revoke documents the intent.
revoke all on table private.encryption_keys from public, anon, authenticated;
grant select, insert, update, delete on table private.encryption_keys to service_role;

-- Triggers -------------------------------------------------------------------------------------------

create function private.maintain_encryption_key_lifecycle()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and old.status = 'retired' and new.status <> 'retired' then
    raise exception 'Encryption key % is retired and cannot be used again', old.id
      using errcode = '23514', hint = 'Register a new key id instead.';
  end if;

  if new.status = 'active' and (tg_op = 'INSERT' or old.status <> 'active') then
    new.activated_at := now();
  end if;
  if new.status = 'retired' and (tg_op = 'INSERT' or old.status <> 'retired') then
    new.retired_at := now();
  end if;
  return new;
end;
$$;
comment on function private.maintain_encryption_key_lifecycle() is
  'BEFORE INSERT/UPDATE on encryption_keys: stamps activated_at/retired_at and forbids reviving a retired '
  'key (it may already be destroyed). Retiring a key still in use is refused by the data_sources migration.';
revoke execute on function private.maintain_encryption_key_lifecycle() from public;

create trigger encryption_keys_lifecycle
  before insert or update of status on private.encryption_keys
  for each row execute function private.maintain_encryption_key_lifecycle();
comment on trigger encryption_keys_lifecycle on private.encryption_keys is
  'Enforces the key lifecycle described on private.maintain_encryption_key_lifecycle().';

-- RLS enable -----------------------------------------------------------------------------------------
-- On although no API role can reach the schema: defence in depth if a grant is ever added by mistake.
alter table private.encryption_keys enable row level security;

-- Policies -------------------------------------------------------------------------------------------
-- none: service_role bypasses RLS, and no other role may read or change the registry.

-- Functions ------------------------------------------------------------------------------------------
-- none
