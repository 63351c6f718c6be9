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
  // The seeded "datasets" vfolder, mounted read-only where the owner wants it.
  await dialog.getByLabel("Mount vfolder datasets").check();
  await dialog.getByLabel("Mount path of datasets").fill("/data/imagenet");
  await dialog.getByRole("listitem").filter({ hasText: "datasets" }).getByLabel("read-only").check();
  await dialog.getByRole("button", { name: "Launch" }).click();
  await expect(dialog).toBeHidden();
  await page.getByRole("link", { name: "e2e-train" }).click();
  // Scheduler → agent → simulated Kata VM: RUNNING within a few seconds once the hosts have joined.
  await expect(page.getByText("every kernel is running").first()).toBeVisible({ timeout: 60_000 });
  for (const step of ["created by user", "placed on hgx-h100", "every kernel is running"]) await expect(page.getByText(step).first()).toBeVisible();
  await expect(page.getByText("datasets → /data/imagenet (read-only)")).toBeVisible();
  await page.getByRole("button", { name: "Terminate" }).click();
  await page.getByRole("dialog").getByRole("button", { name: /Terminate/ }).click();
  await expect(page.getByText("TERMINATED").first()).toBeVisible({ timeout: 60_000 });
});

test("an owner creates a vfolder on the Storage page and sees where it can be mounted", async ({ page }) => {
  await signIn(page, "owner");
  await page.goto("/storage");
  await expect(page.getByRole("heading", { name: "Storage", exact: true })).toBeVisible();
  await page.getByRole("button", { name: "New vfolder" }).first().click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill("bad name");
  await dialog.getByRole("button", { name: "Create vfolder" }).click();
  await expect(dialog.getByText(/may use letters, digits/)).toBeVisible();
  await dialog.getByLabel("Name").fill("e2e-results");
  await expect(dialog.getByText("Mountable in gpu-kata")).toBeVisible();
  await dialog.getByRole("button", { name: "Create vfolder" }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByRole("row").filter({ hasText: "e2e-results" });
  await expect(row).toContainText("vision-lab");
  await expect(row).toContainText("/mnt/vfstore/");
  await expect(page.getByRole("button", { name: "Register volume" })).toHaveCount(0);
});

test("the launch dialog warns when the chosen group cannot mount a chosen vfolder", async ({ page }) => {
  await signIn(page, "owner");
  await page.goto("/sessions");
  await page.getByRole("button", { name: "Launch session" }).first().click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Mount vfolder datasets").check();
  await expect(dialog.getByText(/session would wait/)).toHaveCount(0);
  await dialog.getByLabel("Resource group").selectOption({ label: "cpu-kata" });
  await expect(dialog.getByText("No host in cpu-kata mounts the volume of datasets (vfstore) right now: the session would wait until one does.")).toBeVisible();
});
