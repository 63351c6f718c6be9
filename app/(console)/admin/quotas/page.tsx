import type { Metadata } from "next";
import { QuotasPage } from "@/components/admin/quotas-page";

export const metadata: Metadata = { title: "Quotas · Admin" };

export default function Page() {
  return <QuotasPage />;
}
