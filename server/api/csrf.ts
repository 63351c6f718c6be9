/**
 * Cross-site request refusal for state-changing HTTP calls: the request must carry our custom header
 * (a cross-site form or image cannot set one) and, when the browser sends an Origin, it must be ours.
 */
import { trustedOrigins } from "../env";
import { CSRF_HEADER } from "./csrf-header";

export function csrfProblem(req: Request): string | null {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return null;
  if (req.headers.get(CSRF_HEADER) !== "1") return `missing ${CSRF_HEADER} header: mutations are accepted only from the Hypercell console or API clients that send it`;
  const origin = req.headers.get("origin");
  if (origin && origin !== "null") {
    const allowed = new Set(trustedOrigins());
    allowed.add(new URL(req.url).origin);
    const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
    if (host) allowed.add(`${req.headers.get("x-forwarded-proto") ?? new URL(req.url).protocol.replace(":", "")}://${host}`);
    if (!allowed.has(origin)) return `origin ${origin} is not allowed to call this API`;
  } else if (origin === "null") {
    return "requests from an opaque origin are refused";
  }
  return null;
}
