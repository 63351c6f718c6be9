import { expect, test } from "@playwright/test";
import { signIn, signOut } from "./helpers";

test("a running session shows live GPU metrics; an injected Xid 79 raises an alert, the admin quarantines the GPU, then releases it and acknowledges the alert", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, "owner");
  await page.goto("/sessions");
  await page.getByRole("button", { name: "Launch session" }).first().click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Session name").fill("xid-demo");
  await dialog.getByLabel("GPUs", { exact: true }).fill("1");
  await dialog.getByRole("button", { name: "Launch" }).click();
  await page.getByRole("link", { name: "xid-demo" }).click();
  await expect(page.getByText("every kernel is running").first()).toBeVisible({ timeout: 60_000 });
  // Within a scrape interval (5 s on simulated hosts) the charts have data.
  await expect(page.getByRole("heading", { name: "GPU metrics" })).toBeVisible();
  await expect(page.getByText("GPU 0").first()).toBeVisible({ timeout: 30_000 });
  await signOut(page);

  // The simulated host makes the GPU report Xid 79 twenty seconds into the session.
  await signIn(page, "admin");
  await page.goto("/metrics");
  const alert = page.getByRole("row").filter({ hasText: "Xid 79" }).first();
  await expect(alert).toBeVisible({ timeout: 90_000 });
  await expect(alert).toContainText(/fallen off the bus/i);
  await alert.getByRole("button", { name: "Quarantine GPU" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Quarantine GPU" }).click();
  await expect(alert.getByRole("button", { name: "Quarantine GPU" })).toHaveCount(0, { timeout: 20_000 });
  // Once dealt with, the GPU is released and the alert acknowledged (dimmed, still listed).
  await alert.getByRole("button", { name: "Release GPU" }).click();
  await expect(page.getByRole("dialog")).toContainText("Quarantined because: Xid 79");
  await page.getByRole("dialog").getByRole("button", { name: "Release GPU" }).click();
  await expect(alert.getByRole("button", { name: "Quarantine GPU" })).toBeVisible({ timeout: 20_000 });
  await alert.getByRole("button", { name: "Acknowledge" }).click();
  await expect(alert).toContainText("acknowledged");
  await page.goto("/audit");
  await expect(page.getByRole("row").filter({ hasText: "gpus.release" }).first()).toBeVisible();
  const audited = page.getByRole("row").filter({ hasText: "gpus.quarantine" }).filter({ hasText: "admin@hypercell.local" });
  await expect(audited.first()).toBeVisible();
});
