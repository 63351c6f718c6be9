import { auth } from "@/server/auth";

export const dynamic = "force-dynamic";

const handle = (req: Request) => auth().handler(req);
export { handle as GET, handle as POST };
