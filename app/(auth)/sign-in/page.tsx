import type { Metadata } from "next";
import { SignInForm } from "@/components/shell/sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ reason?: string; next?: string }> }) {
  const { reason, next } = await searchParams;
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm">
        <div className="mb-8 text-center">
          <div className="mx-auto mb-3 flex h-10 w-10 items-center justify-center rounded-lg bg-accent font-mono text-lg font-bold text-accent-fg">H</div>
          <h1 className="text-xl font-semibold">Sign in to Hypercell</h1>
          <p className="mt-1 text-sm text-muted-fg">VM-isolated GPU sessions</p>
        </div>
        <SignInForm reason={reason ?? null} next={next && next.startsWith("/") && !next.startsWith("//") ? next : "/"} />
      </div>
    </main>
  );
}
