-- Plain text in data_sources.secret_ciphertext, recognised without refusing real ciphertexts.
--
-- The first version refused a ciphertext whose first byte is '{', '[' or '"' (JSON plain text). AES-GCM
-- output is uniformly random, so that refused about 1 in 85 real secrets at random (a failed registration,
-- credential replacement or key rotation). JSON plain text is now recognised by parsing it: random bytes
-- practically never decode as UTF-8 JSON. The multi-byte prefixes stay (a false alarm below 1 in 16
-- million), and data_sources_secret_ciphertext_not_text still refuses any all-ASCII value.

-- Functions ------------------------------------------------------------------------------------------

create function private.is_json_text(value bytea)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
begin
  perform convert_from(value, 'UTF8')::jsonb;
  return true;
exception when others then
  return false;
end;
$$;
comment on function private.is_json_text(bytea) is
  'Whether bytes are UTF-8 JSON text: what a credentials document stored without encryption looks like.';
revoke execute on function private.is_json_text(bytea) from public;
-- CHECKs run with the writer's rights: the service role writes data sources.
grant execute on function private.is_json_text(bytea) to service_role;

-- Tables ---------------------------------------------------------------------------------------------

alter table private.data_sources drop constraint data_sources_secret_ciphertext_not_plaintext;
alter table private.data_sources add constraint data_sources_secret_ciphertext_not_plaintext
  check (substring(secret_ciphertext from 1 for 8) <> 'postgres'::bytea
         and substring(secret_ciphertext from 1 for 4) <> 'http'::bytea
         and substring(secret_ciphertext from 1 for 3) <> 'eyJ'::bytea
         and substring(secret_ciphertext from 1 for 3) <> 'sb_'::bytea
         and not private.is_json_text(secret_ciphertext));
comment on constraint data_sources_secret_ciphertext_not_plaintext on private.data_sources is
  'The start of a plain-text credential (connection string, URL, JWT, Supabase key) or a JSON document.';
