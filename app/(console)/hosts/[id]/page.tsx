import type { Metadata } from "next";
import { HostDetail } from "@/components/hosts/host-detail";

export const metadata: Metadata = { title: "Host" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <HostDetail id={safeDecode(id)} />;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
