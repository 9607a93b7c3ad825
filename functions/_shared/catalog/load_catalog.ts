/**
 * Reads the {@linkcode Catalog} snapshot of a schema from `pg_catalog`: the only function of the plan stage
 * that touches a database.
 *
 * @module
 */

import type postgres from "postgres";
import type { Catalog, CatalogColumnSource, CatalogFunction, CatalogTable } from "./catalog.ts";

/** Options of {@linkcode loadCatalog}. */
export interface LoadCatalogOptions {
  /** The schema to describe; defaults to `public`. */
  schema?: string;
}

/**
 * Loads the catalog snapshot of `schema` (default `public`) in one read-only transaction: one query for
 * tables, views, columns, keys and foreign keys (as one JSON document), and one for the version.
 *
 * The transaction sets an empty `search_path` first, so that default expressions and type names come out
 * schema-qualified (`private.request_tenant_id()`, `public.mood`) and mean the same whatever the
 * `search_path` of the connections that later run the planned SQL.
 *
 * Partitions are left out (their parent is listed); foreign keys to relations outside the schema are left
 * out (they cannot be embedded). Views are listed with their columns, without keys, and with the table
 * column each plain column shows (`sources`), from which relationships through views are inferred as
 * PostgREST does. Functions are listed with their parameters, result, volatility and security.
 *
 * `version` is `private.schema_version()` when that function exists and the connection may execute it,
 * else `sha256:` and the first 16 hex digits of a digest of the snapshot.
 *
 * @example
 * ```ts
 * const sql = postgres(url, { max: 1 });
 * const catalog = await loadCatalog(sql);
 * catalog.tables.map((table) => table.name); // ["accounts", "activities", …]
 * ```
 */
export async function loadCatalog(sql: postgres.Sql, options: LoadCatalogOptions = {}): Promise<Catalog> {
  const schema = options.schema ?? "public";
  const { tables, functions, version } = await sql.begin("read only", async (tx) => {
    await tx`select pg_catalog.set_config('search_path', '', true)`;
    const [row] = await tx<{ tables: string; functions: string; sources: string; has_version: boolean }[]>`
      with rel as (
        select c.oid, c.relname, c.relkind
        from pg_catalog.pg_class c
        where c.relnamespace = (select n.oid from pg_catalog.pg_namespace n where n.nspname = ${schema})
          and c.relkind in ('r', 'v', 'm', 'f', 'p')
          and not c.relispartition
      )
      select
        (select coalesce(json_agg(json_build_object(
          'name', rel.relname,
          'kind', case rel.relkind
            when 'r' then 'table' when 'v' then 'view' when 'm' then 'materialized_view'
            when 'f' then 'foreign_table' else 'partitioned_table' end,
          'columns', (
            select coalesce(json_agg(json_build_object(
              'name', a.attname,
              'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
              'valueType', case a.atttypid
                -- Without a modifier these would mean character(1) and bit(1): a cast would truncate.
                when 'pg_catalog.bpchar'::pg_catalog.regtype then 'bpchar'
                when 'pg_catalog._bpchar'::pg_catalog.regtype then 'bpchar[]'
                when 'pg_catalog.bit'::pg_catalog.regtype then 'varbit'
                when 'pg_catalog._bit'::pg_catalog.regtype then 'varbit[]'
                else pg_catalog.format_type(a.atttypid, null) end,
              'nullable', not a.attnotnull,
              'hasDefault', a.atthasdef or a.attidentity <> '' or a.attgenerated <> '',
              'default', case when a.attgenerated = '' then pg_catalog.pg_get_expr(d.adbin, d.adrelid) end,
              'generated', a.attgenerated <> '',
              'identity', case a.attidentity when 'a' then 'always' when 'd' then 'by_default' end,
              'primaryKey', coalesce(a.attnum = any (pk.conkey), false)
            ) order by a.attnum), '[]')
            from pg_catalog.pg_attribute a
            left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
            where a.attrelid = rel.oid and a.attnum > 0 and not a.attisdropped
          ),
          'primaryKey', (
            select coalesce(json_agg(a.attname order by k.ord), '[]')
            from unnest(pk.conkey) with ordinality as k(attnum, ord)
            join pg_catalog.pg_attribute a on a.attrelid = rel.oid and a.attnum = k.attnum
          ),
          'uniqueKeys', (
            select coalesce(json_agg(json_build_object(
              'name', ic.relname,
              'columns', (
                select json_agg(a.attname order by k.ord)
                from unnest(i.indkey::int2[]) with ordinality as k(attnum, ord)
                join pg_catalog.pg_attribute a on a.attrelid = rel.oid and a.attnum = k.attnum
                where k.ord <= i.indnkeyatts
              )
            ) order by ic.relname), '[]')
            from pg_catalog.pg_index i
            join pg_catalog.pg_class ic on ic.oid = i.indexrelid
            where i.indrelid = rel.oid and i.indisunique and not i.indisprimary
              and i.indpred is null and i.indexprs is null
          ),
          'foreignKeys', (
            select coalesce(json_agg(json_build_object(
              'name', con.conname,
              'columns', (
                select json_agg(a.attname order by k.ord)
                from unnest(con.conkey) with ordinality as k(attnum, ord)
                join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum
              ),
              'referencedTable', fr.relname,
              'referencedColumns', (
                select json_agg(a.attname order by k.ord)
                from unnest(con.confkey) with ordinality as k(attnum, ord)
                join pg_catalog.pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum
              )
            ) order by con.conname), '[]')
            from pg_catalog.pg_constraint con
            join rel fr on fr.oid = con.confrelid
            where con.conrelid = rel.oid and con.contype = 'f'
          )
        ) order by rel.relname), '[]')
        from rel
        left join pg_catalog.pg_constraint pk on pk.conrelid = rel.oid and pk.contype = 'p')::text as tables,
        (select coalesce(json_agg(json_build_object(
          'name', p.proname,
          'parameters', (
            select coalesce(json_agg(json_build_object(
              'name', x.name,
              'type', pg_catalog.format_type(x.type, null),
              -- Defaults belong to the last pronargdefaults input parameters.
              'hasDefault', x.position > p.pronargs - p.pronargdefaults,
              'variadic', x.mode = 'v'
            ) order by x.position), '[]')
            from (
              select a.name, a.type, a.mode, row_number() over (order by a.ord) as position
              from unnest(
                coalesce(p.proallargtypes, p.proargtypes::pg_catalog.oid[]),
                coalesce(p.proargmodes, array_fill('i'::"char", array[p.pronargs::int])),
                coalesce(p.proargnames, array_fill(''::text, array[p.pronargs::int]))
              ) with ordinality as a(type, mode, name, ord)
              where a.mode in ('i', 'b', 'v')
            ) x
          ),
          'returns', json_build_object(
            'setOf', p.proretset,
            'kind', case
              when p.prorettype = 'pg_catalog.void'::pg_catalog.regtype then 'void'
              when p.prorettype = 'pg_catalog.record'::pg_catalog.regtype then 'record'
              when t.typrelid <> 0 then 'composite'
              else 'scalar' end,
            'type', pg_catalog.format_type(p.prorettype, null),
            'table', (select rel.relname from rel where rel.oid = t.typrelid),
            'columns', case
              when p.prorettype = 'pg_catalog.record'::pg_catalog.regtype then (
                select coalesce(json_agg(json_build_object(
                  'name', o.name, 'type', pg_catalog.format_type(o.type, null)
                ) order by o.ord), '[]')
                from unnest(p.proallargtypes, p.proargmodes, p.proargnames) with ordinality as o(type, mode, name, ord)
                where o.mode in ('o', 'b', 't'))
              -- A table's or view's row type: the planner reads its columns from the table.
              when t.typrelid <> 0 and not exists (select from rel where rel.oid = t.typrelid) then (
                select coalesce(json_agg(json_build_object(
                  'name', a.attname, 'type', pg_catalog.format_type(a.atttypid, null)
                ) order by a.attnum), '[]')
                from pg_catalog.pg_attribute a
                where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped)
              else '[]'::json end,
            'rows', p.prorows
          ),
          'volatility', case p.provolatile when 'v' then 'volatile' when 's' then 'stable' else 'immutable' end,
          'securityDefiner', p.prosecdef,
          'grantedToAuthenticated', coalesce((
            select bool_or(acl.privilege_type = 'EXECUTE')
            from aclexplode(p.proacl) acl
            join pg_catalog.pg_roles r on r.oid = acl.grantee
            where r.rolname = 'authenticated'
          ), false)
        ) order by p.proname, p.oid), '[]')
        from pg_catalog.pg_proc p
        join pg_catalog.pg_type t on t.oid = p.prorettype
        where p.pronamespace = (select n.oid from pg_catalog.pg_namespace n where n.nspname = ${schema})
          and p.prokind = 'f'
          -- Pseudo-types cannot be called over HTTP (triggers, internal), except void and record.
          and (t.typtype <> 'p' or p.prorettype in ('pg_catalog.void'::pg_catalog.regtype, 'pg_catalog.record'::pg_catalog.regtype))
          -- A bare record without out parameters needs a column list the request cannot give.
          and (p.prorettype <> 'pg_catalog.record'::pg_catalog.regtype or p.proallargtypes is not null))::text as functions,
        -- A view's plain columns and the table columns they show: the rewrite rule's target list records
        -- each output's origin (resorigtbl, resorigcol). Sub-queries come first in the text, so the last
        -- entry of a name is the view's own.
        (select coalesce(json_object_agg(v.relname, v.sources), '{}')
          from (
            select rel.relname, json_agg(json_build_object(
              'column', o.resname, 'table', src.relname, 'sourceColumn', sa.attname
            ) order by va.attnum) as sources
            from rel
            join pg_catalog.pg_rewrite rw on rw.ev_class = rel.oid and rw.rulename = '_RETURN'
            cross join lateral (
              select distinct on (m.match[1]) m.match[1] as resname, m.match[2]::pg_catalog.oid as tbl,
                m.match[3]::int2 as col
              from regexp_matches(rw.ev_action::text,
                ':resname (\\S+) :ressortgroupref \\d+ :resorigtbl (\\d+) :resorigcol (\\d+)', 'g')
                with ordinality as m(match, position)
              order by m.match[1], m.position desc
            ) o
            join pg_catalog.pg_attribute va on va.attrelid = rel.oid and va.attname = o.resname
            join rel src on src.oid = o.tbl
            join pg_catalog.pg_attribute sa on sa.attrelid = src.oid and sa.attnum = o.col
            where rel.relkind = 'v'
            group by rel.relname
          ) v)::text as sources,
        coalesce((
          select pg_catalog.has_function_privilege(f.oid, 'execute')
          from (select pg_catalog.to_regprocedure('private.schema_version()')::oid as oid) f
          where f.oid is not null
        ), false) as has_version`;
    if (row === undefined) throw new Error("Cannot load the catalog: the catalog query returned no row");
    let version: string | null = null;
    if (row.has_version) {
      const [found] = await tx<{ version: string | null }[]>`select private.schema_version() as version`;
      version = found?.version ?? null;
    }
    const sources = JSON.parse(row.sources) as Record<string, CatalogColumnSource[]>;
    return {
      tables: (JSON.parse(row.tables) as CatalogTable[]).map((table) => {
        const found = sources[table.name];
        return found === undefined ? table : { ...table, sources: found };
      }),
      functions: JSON.parse(row.functions) as CatalogFunction[],
      version,
    };
  });
  return { schema, version: version ?? await digest({ tables, functions }), tables, functions };
}

async function digest(value: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const hex = Array.from(hash.subarray(0, 8), (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `sha256:${hex}`;
}
