import { expect, type Page } from "@playwright/test";
import { E2E_PASSWORDS } from "./passwords";

export type Persona = keyof typeof E2E_PASSWORDS;
export const EMAIL: Record<Persona, string> = {
  admin: "admin@hypercell.local",
  owner: "owner@hypercell.local",
  auditor: "auditor@hypercell.local",
  member: "member@hypercell.local",
};

export async function signIn(page: Page, who: Persona) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(EMAIL[who]);
  await page.getByLabel("Password").fill(E2E_PASSWORDS[who]);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("persona")).toBeVisible();
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  // The old cookie no longer opens the console.
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
}

/** Calls a tRPC mutation from inside the signed-in page, as the console itself would. */
export async function callMutation(page: Page, path: string, input: unknown) {
  return page.evaluate(
    async ([p, i]) => {
      const res = await fetch(`/api/trpc/${p}?batch=1`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-hypercell-csrf": "1" },
        body: JSON.stringify({ 0: { json: i } }),
      });
      const body = await res.json();
      return { status: res.status, message: body?.[0]?.error?.json?.message as string | undefined };
    },
    [path, input] as const,
  );
}
