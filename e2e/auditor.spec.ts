import { expect, test } from "@playwright/test";
import { callMutation, signIn, signOut } from "./helpers";

test("auditor reads the audit trail, is refused a change, and the refusal is itself audited", async ({ page }) => {
  await signIn(page, "auditor");
  await expect(page.getByTestId("persona")).toContainText("Auditor");
  const refused = await callMutation(page, "resourceGroups.create", { name: "auditor-try" });
  expect(refused.status).toBe(403);
  expect(refused.message).toMatch(/Your role \(auditor\) does not allow resourceGroups\.manage/);

  await page.goto("/audit");
  await expect(page.getByTestId("chain-badge")).toContainText("Chain verified");
  await page.getByLabel("Result").selectOption("denied");
  await page.getByRole("button", { name: "Apply" }).click();
  const row = page.getByRole("row").filter({ hasText: "resourceGroups.create" }).filter({ hasText: "auditor@hypercell.local" });
  await expect(row.first()).toBeVisible();

  const csv = await page.request.get("/api/audit/export?format=csv&result=denied");
  expect(csv.status()).toBe(200);
  const text = await csv.text();
  expect(text.split("\n")[0]).toBe("id,occurredAt,actorEmail,actorId,persona,action,targetType,targetId,result,message,requestId,clientAddress,before,after,prevHash,hash");
  expect(text).toContain("auditor@hypercell.local");

  // Read-only pages have no buttons that would change anything.
  await page.goto("/admin/resource-groups");
  await expect(page.getByText("gpu-kata").first()).toBeVisible();
  await expect(page.getByRole("button", { name: /new|create/i })).toHaveCount(0);
  await signOut(page);
});
