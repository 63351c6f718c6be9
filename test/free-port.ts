export { freePort } from "../server/lib/free-port";
