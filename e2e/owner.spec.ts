import { expect, test } from "@playwright/test";
import { callMutation, signIn, signOut } from "./helpers";

test("project owner sees their projects and sessions, no host internals or audit trail", async ({ page }) => {
  await signIn(page, "owner");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Sessions", exact: true })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Hosts", exact: true })).toHaveCount(0);
  await expect(nav.getByRole("link", { name: "Audit", exact: true })).toHaveCount(0);
  await nav.getByRole("link", { name: "Projects", exact: true }).click();
  await expect(page.getByText("vision-lab").first()).toBeVisible();
  await expect(page.getByText("nlp-research")).toHaveCount(0);

  // The server refuses what the role does not allow, whatever the browser sends.
  const refused = await callMutation(page, "users.create", { email: "x@y.test", name: "X", role: "admin", password: "long-enough-password" });
  expect(refused.status).toBe(403);
  expect(refused.message).toMatch(/does not allow users\.manage/);
  const hosts = await page.request.get("/api/trpc/hosts.list?batch=1&input=%7B%7D");
  expect(hosts.status()).toBe(403);
  await signOut(page);
});

test("project member signs in and out", async ({ page }) => {
  await signIn(page, "member");
  await page.goto("/sessions");
  await expect(page.getByRole("heading", { name: "Sessions", exact: true })).toBeVisible();
  await signOut(page);
});
