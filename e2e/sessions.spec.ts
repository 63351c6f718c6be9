import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("an owner launches a 4-GPU session, sees it RUNNING with its timeline, and terminates it", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, "owner");
  await page.goto("/sessions");
  await page.getByRole("button", { name: "Launch session" }).first().click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Session name").fill("e2e-train");
  await dialog.getByLabel("GPUs", { exact: true }).fill("4");
  await dialog.getByRole("button", { name: "Launch" }).click();
  await expect(dialog).toBeHidden();
  await page.getByRole("link", { name: "e2e-train" }).click();
  // Scheduler → agent → simulated Kata VM: RUNNING within a few seconds once the hosts have joined.
  await expect(page.getByText("every kernel is running").first()).toBeVisible({ timeout: 60_000 });
  for (const step of ["created by user", "placed on hgx-h100", "every kernel is running"]) await expect(page.getByText(step).first()).toBeVisible();
  await page.getByRole("button", { name: "Terminate" }).click();
  await page.getByRole("dialog").getByRole("button", { name: /Terminate/ }).click();
  await expect(page.getByText("TERMINATED").first()).toBeVisible({ timeout: 60_000 });
});
