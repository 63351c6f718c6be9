import type { Metadata } from "next";
import { MetricsOverview } from "@/components/metrics/metrics-overview";

export const metadata: Metadata = { title: "Metrics" };

export default function Page() {
  return <MetricsOverview />;
}
