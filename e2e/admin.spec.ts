import { expect, test } from "@playwright/test";
import { callMutation, signIn, signOut } from "./helpers";

test("admin signs in, sees every section, manages users, and signs out", async ({ page }) => {
  await signIn(page, "admin");
  await expect(page.getByRole("heading", { name: /Welcome, Ada/ })).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const name of ["Hosts", "Sessions", "Network", "Metrics", "Audit", "Users", "Resource groups", "Quotas"]) {
    await expect(nav.getByRole("link", { name, exact: true })).toBeVisible();
  }
  await nav.getByRole("link", { name: "Users", exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/users/);
  await expect(page.getByText("auditor@hypercell.local").first()).toBeVisible();

  // A mutation through the API is audited and shows up on the audit page.
  const created = await callMutation(page, "resourceGroups.create", { name: "e2e-admin-rg", description: "made by the admin e2e test" });
  expect(created.status).toBe(200);
  await page.goto("/audit");
  await expect(page.getByTestId("chain-badge")).toContainText("Chain verified");
  await expect(page.getByRole("cell", { name: "resourceGroups.create" }).first()).toBeVisible();
  await signOut(page);
});
