import type { Metadata } from "next";
import { SessionsList } from "@/components/sessions/sessions-list";

export const metadata: Metadata = { title: "Sessions" };

export default function Page() {
  return <SessionsList />;
}
