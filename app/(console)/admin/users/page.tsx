import type { Metadata } from "next";
import { UsersPage } from "@/components/admin/users-page";

export const metadata: Metadata = { title: "Users · Admin" };

export default function Page() {
  return <UsersPage />;
}
