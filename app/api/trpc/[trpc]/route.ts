import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { createContext } from "@/server/api/context";
import { csrfProblem } from "@/server/api/csrf";

export const dynamic = "force-dynamic";

function handler(req: Request) {
  const problem = csrfProblem(req);
  if (problem) {
    return Response.json(
      [{ error: { message: `Refused: ${problem}.`, code: -32003, data: { code: "FORBIDDEN", httpStatus: 403 } } }],
      { status: 403 },
    );
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createContext({ headers: req.headers }),
  });
}

export { handler as GET, handler as POST };
