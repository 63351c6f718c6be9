import { db } from "@/server/db";

export const dynamic = "force-dynamic";

/** Liveness and database reachability, for load balancers and `npm start`'s wait. */
export async function GET() {
  try {
    await db().$queryRaw`SELECT 1`;
    return Response.json({ ok: true, database: "up" });
  } catch {
    return Response.json({ ok: false, database: "unreachable" }, { status: 503 });
  }
}
