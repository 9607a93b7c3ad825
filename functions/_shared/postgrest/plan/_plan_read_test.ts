import assert from "node:assert/strict";
import { findTable } from "../../catalog/catalog.ts";
import type { PlannedEmbed, PlannedSelect, ReadNode } from "./plan.ts";
import { planReadTree } from "./_plan_read.ts";
import { parseQuery } from "../parse/parse_query.ts";
import { catalog } from "../testdata/fixtures.ts";
import { SYNTHETIC_CATALOG } from "../testdata/synthetic.ts";

function tree(table: string, query: string, source = catalog, aggregates = false): ReadNode {
  const found = findTable(source, table);
  assert.ok(found, table);
  return planReadTree(source, { table: found, query: parseQuery(new URLSearchParams(query)), aggregates });
}

function embedAt(node: ReadNode, index: number): PlannedEmbed {
  const item = node.select[index];
  assert.ok(item?.kind === "embed" || item?.kind === "spread", `select[${index}] is an embed`);
  return item.embed;
}

function names(node: ReadNode): (string | null)[] {
  return node.select.map((item: PlannedSelect) =>
    item.kind === "star" || item.kind === "spread" ? null : item.name
  );
}

Deno.test("planReadTree() names outputs by alias, JSON key or column, and keeps casts", () => {
  const root = tree("accounts", "select=id,city:address->>city,address->geo->>lat,tags->0,name::text,n:name");
  assert.deepEqual(names(root), ["id", "city", "lat", "tags", "name", "n"]);
  const cast = root.select[4];
  assert.equal(cast?.kind === "field" && cast.cast, "text");
});

Deno.test("planReadTree() embeds many-to-one as an object and one-to-many as an array", () => {
  const contacts = tree("contacts", "select=id,account:accounts(id,name)");
  const account = embedAt(contacts, 1);
  assert.deepEqual([account.toOne, account.join, account.relationship.cardinality], [
    true,
    "left",
    "many-to-one",
  ]);
  assert.deepEqual(names(contacts), ["id", "account"]);
  const accounts = tree("accounts", "select=id,contacts(id,email)");
  const many = embedAt(accounts, 1);
  assert.deepEqual([many.toOne, many.relationship.cardinality, many.node.table], [
    false,
    "one-to-many",
    "contacts",
  ]);
});

Deno.test("planReadTree() embeds one-to-one as an object and many-to-many as an array", () => {
  const people = tree("people", "select=id,profiles(bio),projects!memberships(name)", SYNTHETIC_CATALOG);
  assert.deepEqual([embedAt(people, 1).toOne, embedAt(people, 1).relationship.cardinality], [
    true,
    "one-to-one",
  ]);
  assert.deepEqual([embedAt(people, 2).toOne, embedAt(people, 2).relationship.cardinality], [
    false,
    "many-to-many",
  ]);
});

Deno.test("planReadTree() resolves a hint by foreign key name and by column", () => {
  const byName = embedAt(tree("events", "select=id,venue:venues!events_venue_id_fkey(name)"), 1);
  const byColumn = embedAt(tree("events", "select=id,venue:venues!venue_id(name)"), 1);
  assert.deepEqual(byName.relationship, byColumn.relationship);
  assert.deepEqual(byName.relationship.columns, [["tenant_id", "tenant_id"], ["venue_id", "id"]]);
});

Deno.test("planReadTree() places embedded filters, logic, order and limits on their level", () => {
  const root = tree(
    "accounts",
    "select=id,people:contacts!inner(id,email)&people.email=like.*@x&people.or=(name.eq.a,name.eq.b)" +
      "&people.order=email.desc&people.limit=2&people.offset=1&name=eq.Acme",
  );
  const people = embedAt(root, 1);
  assert.equal(people.join, "inner");
  assert.deepEqual(people.node.where.map((c) => c.kind), ["filter", "logic"]);
  assert.deepEqual(people.node.order.map((o) => o.direction), ["desc"]);
  assert.deepEqual(people.node.range, { offset: 1, limit: 2 });
  assert.deepEqual(root.where.map((c) => c.kind === "filter" && c.field.column), ["name"]);
});

Deno.test("planReadTree() finds a level by relation name when it has an alias", () => {
  const root = tree("accounts", "select=id,people:contacts(id)&contacts.email=eq.x");
  assert.equal(embedAt(root, 1).node.where.length, 1);
});

Deno.test("planReadTree() plans nested embeds with their own ids", () => {
  const root = tree(
    "accounts",
    "select=id,opportunities(id,opportunity_line_items(id,quantity,products(name)))",
  );
  const opportunities = embedAt(root, 1);
  const items = embedAt(opportunities.node, 1);
  const products = embedAt(items.node, 2);
  assert.deepEqual([root.id, opportunities.node.id, items.node.id, products.node.id], [0, 1, 2, 3]);
  assert.deepEqual([opportunities.toOne, items.toOne, products.toOne], [false, false, true]);
});

Deno.test("planReadTree() reads a bare count in an embed as count(*)", () => {
  const root = tree("accounts", "select=id,contacts(count),c:contacts(total:count())", catalog, true);
  assert.deepEqual(embedAt(root, 1).node.select, [{ kind: "count", name: "count", cast: null }]);
  assert.deepEqual(embedAt(root, 2).node.select, [{ kind: "count", name: "total", cast: null }]);
});

Deno.test("planReadTree() allows the legacy bare count without aggregates, and refuses count() with PGRST123", () => {
  const root = tree("accounts", "select=id,contacts(count)");
  assert.deepEqual(embedAt(root, 1).node.select, [{ kind: "count", name: "count", cast: null }]);
  for (
    const query of [
      "select=count()",
      "select=id,contacts(n:count())",
      "select=id.count()",
      "select=name,id.max()",
    ]
  ) {
    assert.throws(() => tree("accounts", query), { code: "PGRST123" }, query);
  }
});

Deno.test("planReadTree() orders by a column of a to-one embed", () => {
  const root = tree("contacts", "select=id,account:accounts(name)&order=account(name).desc.nullslast,id");
  assert.deepEqual(root.order.map((o) => [o.target.kind, o.direction, o.nulls]), [
    ["relation", "desc", "last"],
    ["field", null, null],
  ]);
});

Deno.test("planReadTree() turns embed=is.null into an embed condition", () => {
  const root = tree("contacts", "select=id,account:accounts(name)&account=not.is.null");
  assert.deepEqual(root.where.map((c) => c.kind === "embed" && c.isNull), [false]);
});

Deno.test("planReadTree() plans spreads of to-one and to-many embeds", () => {
  const root = tree("contacts", "select=id,...accounts(account_name:name)");
  assert.equal(root.select[1]?.kind, "spread");
  assert.equal(embedAt(root, 1).toOne, true);
  assert.equal(embedAt(tree("accounts", "select=id,...contacts(email)"), 1).toOne, false);
});

Deno.test("planReadTree() expands * to the table's columns (for grouping)", () => {
  const root = tree("venues", "select=*");
  const star = root.select[0];
  assert.equal(star?.kind === "star" && star.columns.length, findTable(catalog, "venues")?.columns.length);
});

Deno.test("planReadTree() treats count as a column where the table has one", () => {
  const people = tree("people", "select=count", {
    ...SYNTHETIC_CATALOG,
    tables: SYNTHETIC_CATALOG.tables.map((t) =>
      t.name === "people" ? { ...t, columns: [...t.columns, { ...t.columns[1]!, name: "count" }] } : t
    ),
  });
  assert.equal(people.select[0]?.kind, "field");
});
