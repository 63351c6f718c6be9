import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("admin sees the three simulated hosts and binds the HGX host's nvidia GPU to vfio-pci", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, "admin");
  await page.goto("/hosts");
  for (const host of ["hgx-h100", "pcie-4gpu", "cpu-only"]) await expect(page.getByRole("link", { name: host })).toBeVisible({ timeout: 60_000 });

  await page.getByRole("link", { name: "pcie-4gpu" }).click();
  const unsafe = page.getByRole("row", { name: /^0000:e1:00\.0/ });
  await expect(unsafe).toContainText("shares group");
  await expect(unsafe.getByRole("button", { name: /bind/i })).toHaveCount(0);

  await page.goto("/hosts/hgx-h100");
  const row = page.getByRole("row", { name: /^0000:19:00\.0/ });
  await expect(row).toContainText("nvidia");
  await row.getByRole("button", { name: "Bind to vfio-pci" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Bind group" }).click();
  // The controller carries it out through the agent; the page follows live.
  await expect(page.getByRole("row").filter({ hasText: "0000:19:00.0" }).filter({ hasText: "succeeded" }).first()).toBeVisible({ timeout: 60_000 });
  await expect(row).toContainText("vfio-pci", { timeout: 30_000 });
  await expect(row).toContainText("ready");
});

test("a project owner cannot open host pages", async ({ page }) => {
  await signIn(page, "owner");
  await page.goto("/hosts/hgx-h100");
  await expect(page.getByText(/does not allow hosts\.read/)).toBeVisible();
});

test("a bind that fails part-way is rolled back and says which device refused", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, "admin");
  await page.goto("/hosts/pcie-4gpu");
  // The e2e server makes this host's kernel refuse to unbind 0000:c1:00.1 (the GPU's audio function).
  const row = page.getByRole("row", { name: /^0000:c1:00\.0/ });
  await row.getByRole("button", { name: "Bind to vfio-pci" }).click({ timeout: 60_000 });
  await page.getByRole("dialog").getByRole("button", { name: "Bind group" }).click();
  const op = page.getByRole("row").filter({ hasText: "0000:c1:00.0" }).filter({ hasText: "rolled back" }).first();
  await expect(op).toBeVisible({ timeout: 60_000 });
  await expect(op).toContainText("0000:c1:00.1");
  await expect(row).toContainText("needs vfio");
  await expect(row.getByRole("button", { name: "Bind to vfio-pci" })).toBeVisible();
});
