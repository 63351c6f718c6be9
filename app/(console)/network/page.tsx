import type { Metadata } from "next";
import { NetworkOverview } from "@/components/network/network-overview";

export const metadata: Metadata = { title: "Network" };

export default function Page() {
  return <NetworkOverview />;
}
