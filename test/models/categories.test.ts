import { describe, expect, it } from "vitest";
import { createCategory, deleteCategory, listCategories, updateCategory } from "~/models/community/category.server";
import { createThread } from "~/models/community/thread.server";
import { db } from "~/services/db.server";
import { useTestDatabase } from "../helpers/database";
import { makeUser } from "../helpers/factories";

useTestDatabase();

describe("categories managed by an admin", () => {
  it("creates a community-only category and lists it, with an audit entry", async () => {
    const admin = await makeUser({ role: "admin" });
    const created = await createCategory(admin, { slug: "free-edition", name: "Free edition", description: "Community help only" });
    expect(created).toMatchObject({ slug: "free-edition", supported: false });
    expect((await listCategories()).map((c) => c.slug)).toContain("free-edition");
    expect(await db.auditLog.count({ where: { targetId: created.id, action: "category.create" } })).toBe(1);
  });

  it("refuses a duplicate slug with 409 and a malformed one with 400", async () => {
    const admin = await makeUser({ role: "admin" });
    await createCategory(admin, { slug: "paid", name: "Paid", supported: true });
    await expect(createCategory(admin, { slug: "paid", name: "Again" })).rejects.toMatchObject({
      status: 409,
      fields: { slug: expect.any(String) },
    });
    await expect(createCategory(admin, { slug: "Not A Slug!", name: "X y" })).rejects.toMatchObject({
      status: 400,
      fields: { slug: expect.any(String) },
    });
  });

  it("switches a category between supported and community-only", async () => {
    const admin = await makeUser({ role: "admin" });
    const c = await createCategory(admin, { slug: "toggle", name: "Toggle", supported: "on" });
    expect(c.supported).toBe(true);
    expect((await updateCategory(admin, c.id, { supported: "false" })).supported).toBe(false);
  });

  it("deletes only empty categories so no thread is lost", async () => {
    const admin = await makeUser({ role: "admin" });
    const c = await createCategory(admin, { slug: "busy", name: "Busy" });
    await createThread(admin, { category: "busy", title: "A thread that keeps it busy", body: "Some body text here." });
    await expect(deleteCategory(admin, c.id)).rejects.toMatchObject({ status: 409 });
    const empty = await createCategory(admin, { slug: "empty", name: "Empty" });
    await deleteCategory(admin, empty.id);
    await expect(deleteCategory(admin, empty.id)).rejects.toMatchObject({ status: 404 });
  });

  it("renaming or moving a category brings the search documents of its threads up to date", async () => {
    const admin = await makeUser({ role: "admin" });
    const c = await createCategory(admin, { slug: "gadgets", name: "Gadgets" });
    const thread = await createThread(admin, { category: "gadgets", title: "A gadget that needs indexing", body: "Some body text here." });
    const pending = () => db.job.count({ where: { queue: "search", dedupeKey: `thread:${thread.id}`, state: "pending" } });
    await db.job.updateMany({ where: { queue: "search" }, data: { state: "done" } });

    await updateCategory(admin, c.id, { position: 7 });
    expect(await pending()).toBe(0);
    await updateCategory(admin, c.id, { name: "Gizmos" });
    expect(await pending()).toBe(1);
    await db.job.updateMany({ where: { queue: "search" }, data: { state: "done" } });
    await updateCategory(admin, c.id, { slug: "gizmos" });
    expect(await pending()).toBe(1);
  });
});
