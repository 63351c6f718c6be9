import type { Metadata } from "next";
import { ResourceGroupsPage } from "@/components/admin/resource-groups-page";

export const metadata: Metadata = { title: "Resource groups · Admin" };

export default function Page() {
  return <ResourceGroupsPage />;
}
