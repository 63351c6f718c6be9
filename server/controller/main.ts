/**
 * The controller process: agent registry (gRPC), agent channels and ingest, sweepers. Several may run;
 * one leads, chosen by a PostgreSQL advisory lock held for the life of its connection.
 *
 * Environment: DATABASE_URL, HYPERCELL_JOIN_TOKEN (≥ 16 characters), HYPERCELL_CONTROLLER_LISTEN
 * (default 127.0.0.1:6000), HYPERCELL_HEARTBEAT_INTERVAL_SEC (20), HYPERCELL_HEARTBEAT_TIMEOUT_SEC (40),
 * HYPERCELL_TLS_CERT / _KEY / _CA for mutual TLS with agents.
 */
import * as grpc from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import pg from "pg";
import { z } from "zod";
import { createDb } from "../db";
import { agentProto, grpcTarget } from "../proto/load";
import { AgentGateway } from "./agent-gateway";
import { sweepLostAgents } from "./sweeper";
import { startGpuOperationWorker } from "./gpu-operations";
import { serverCredentials } from "../lib/grpc-tls";
import { scheduleOnce } from "./scheduler";
import { finishTerminations } from "./terminator";
import { destroyTerminating, reconcileAgent, startScheduled } from "./lifecycle";
import { NetworkPolicySync } from "./network-sync";
import { etcdEndpointsFrom } from "../network/expected-policy";
import { MetricsStore } from "./metrics-store";
import { retryPolicyFromEnv } from "../domain/sessions/retry";

const LEADER_LOCK = 0x68797063; // "hypc"

const Env = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "DATABASE_URL must start with postgresql://"),
  HYPERCELL_JOIN_TOKEN: z.string().min(16, "HYPERCELL_JOIN_TOKEN must be at least 16 characters"),
  HYPERCELL_CONTROLLER_LISTEN: z.string().default("127.0.0.1:6000"),
  HYPERCELL_HEARTBEAT_INTERVAL_SEC: z.coerce.number().int().min(1).max(600).default(20),
  HYPERCELL_HEARTBEAT_TIMEOUT_SEC: z.coerce.number().int().min(2).max(3600).default(40),
  /** Mutual TLS with agents: all three or none. */
  HYPERCELL_TLS_CERT: z.string().optional(),
  HYPERCELL_TLS_KEY: z.string().optional(),
  HYPERCELL_TLS_CA: z.string().optional(),
  /** How often every connected agent's kernels are reconciled against the database (also on each join). */
  HYPERCELL_RECONCILE_INTERVAL_SEC: z.coerce.number().int().min(1).max(3600).default(30),
  /** Calico's etcd (comma-separated client URLs); without it policy is rendered but not written. */
  HYPERCELL_CALICO_ETCD_ENDPOINTS: z.string().optional(),
});

export type ControllerHandle = { address: string; gateway: AgentGateway; stop: () => Promise<void> };

export async function startController(
  envIn: Record<string, string | undefined> = process.env,
  log = (m: string) => console.log(`[controller] ${m}`),
  /** Called when the leader lock's connection fails; the command-line controller exits. */
  onLeadershipLost: (e: Error) => void = (e) => log(`lost the database connection that holds the leader lock (${e.message})`),
): Promise<ControllerHandle> {
  const parsed = Env.safeParse(envIn);
  if (!parsed.success) throw new Error(`invalid controller environment:\n${parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
  const env = parsed.data;
  const tlsGiven = [env.HYPERCELL_TLS_CERT, env.HYPERCELL_TLS_KEY, env.HYPERCELL_TLS_CA].filter(Boolean).length;
  if (tlsGiven !== 0 && tlsGiven !== 3) throw new Error("invalid controller environment: HYPERCELL_TLS_CERT, HYPERCELL_TLS_KEY and HYPERCELL_TLS_CA go together (all three for mutual TLS, none for plaintext)");
  const retryPolicy = retryPolicyFromEnv(envIn);
  const tls = tlsGiven === 3 ? { certPath: env.HYPERCELL_TLS_CERT!, keyPath: env.HYPERCELL_TLS_KEY!, caPath: env.HYPERCELL_TLS_CA! } : null;

  // Leadership: wait for the lock on a dedicated connection; losing the connection loses the lock.
  const lockClient = new pg.Client({ connectionString: env.DATABASE_URL });
  await lockClient.connect();
  // The leader lock lives on this connection: losing it (the database went away or was restarted)
  // means another controller may lead now, so this one stops rather than act on stale leadership.
  lockClient.on("error", (e) => onLeadershipLost(e));
  const got = await lockClient.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [LEADER_LOCK]);
  if (!got.rows[0]!.ok) {
    log("another controller leads; waiting for its lock");
    await lockClient.query("SELECT pg_advisory_lock($1)", [LEADER_LOCK]);
  }
  log("leading");

  const db = createDb(env.DATABASE_URL);
  const metrics = new MetricsStore({ db, env: envIn, log }).start();
  const gateway = new AgentGateway({ db, joinToken: env.HYPERCELL_JOIN_TOKEN, heartbeatIntervalSec: env.HYPERCELL_HEARTBEAT_INTERVAL_SEC, tls, log, onMetrics: async (agentId, batch) => void (await metrics.ingest(agentId, batch)) });
  const server = new grpc.Server();
  server.addService(agentProto().hypercell.agent.v1.AgentRegistry.service, gateway.registryService());
  const health = new HealthImplementation({ "": "SERVING" });
  health.addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(grpcTarget(env.HYPERCELL_CONTROLLER_LISTEN), serverCredentials(tls), (e, p) => (e ? reject(e) : resolve(p))),
  );
  const address = env.HYPERCELL_CONTROLLER_LISTEN.replace(/:0$/, `:${port}`);
  log(`agent registry on ${address}`);

  // Re-open channels to agents that were alive before a controller restart.
  for (const a of await db.agent.findMany({ where: { status: "ALIVE" }, select: { id: true, address: true } })) gateway.connect(a.id, a.address);

  const gpuOps = startGpuOperationWorker({ db, databaseUrl: env.DATABASE_URL, gateway, log });

  const network = new NetworkPolicySync(db, etcdEndpointsFrom(env.HYPERCELL_CALICO_ETCD_ENDPOINTS), env.HYPERCELL_CONTROLLER_LISTEN, log);
  if (network.enabled) {
    // Whatever a crash left half-done is repaired here: live sessions' objects written, ended ones' removed.
    await network.reconcile("controller start").catch((e) => log(`network policy reconcile at start failed: ${e instanceof Error ? e.message : e}`));
  }

  // Scheduler: woken by NOTIFY hypercell_sessions (a new or cancelled session), and every 2 s.
  let scheduling = false;
  let rerun = false;
  const schedule = async () => {
    if (scheduling) {
      rerun = true;
      return;
    }
    scheduling = true;
    try {
      do {
        rerun = false;
        const r = await scheduleOnce(db);
        for (const id of r.scheduled) log(`scheduled session ${id}`);
        for (const id of r.cancelled) log(`cancelled session ${id} (pending timeout)`);
        await startScheduled(db, gateway, log, network, retryPolicy);
        await destroyTerminating(db, gateway, log, retryPolicy);
        for (const id of await finishTerminations(db)) log(`session ${id} terminated`);
        if (network.enabled) await network.removeEnded().catch((e) => log(`network policy cleanup failed: ${e instanceof Error ? e.message : e}`));
      } while (rerun);
    } catch (e) {
      log(`scheduler: ${e instanceof Error ? e.message : e}`);
    } finally {
      scheduling = false;
    }
  };
  const sessionListener = new pg.Client({ connectionString: env.DATABASE_URL });
  // A dropped LISTEN connection only loses the wake-ups: the 2-second tick still schedules.
  sessionListener.on("error", (e) => log(`session wake-ups lost (${e.message}); scheduling every 2 s`));
  await sessionListener.connect();
  await sessionListener.query("LISTEN hypercell_sessions");
  sessionListener.on("notification", () => void schedule());
  const scheduleTimer = setInterval(() => void schedule(), 2_000);
  // Joins reconcile at once; this catches what a join raced with (a reply lost with a dying agent).
  const reconcileTimer = setInterval(() => {
    void (async () => {
      for (const a of await db.agent.findMany({ where: { status: "ALIVE" }, select: { id: true } })) {
        if (gateway.isConnected(a.id)) await reconcileAgent(db, gateway, a.id, log).catch(() => undefined);
      }
    })();
  }, env.HYPERCELL_RECONCILE_INTERVAL_SEC * 1000);

  const sweep = setInterval(() => {
    sweepLostAgents(db, env.HYPERCELL_HEARTBEAT_TIMEOUT_SEC).then(
      (lost) => {
        for (const id of lost) {
          gateway.disconnect(id);
          log(`agent ${id} is LOST (no heartbeat for ${env.HYPERCELL_HEARTBEAT_TIMEOUT_SEC} s)`);
        }
      },
      (e) => log(`sweeper: ${e instanceof Error ? e.message : e}`),
    );
  }, Math.min(5_000, env.HYPERCELL_HEARTBEAT_TIMEOUT_SEC * 500));

  return {
    address,
    gateway,
    stop: async () => {
      clearInterval(sweep);
      clearInterval(scheduleTimer);
      clearInterval(reconcileTimer);
      await network.close();
      await sessionListener.end().catch(() => {});
      await gpuOps.stop();
      gateway.close();
      await metrics.stop();
      await new Promise<void>((r) => server.tryShutdown(() => r()));
      await db.$disconnect();
      await lockClient.end();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // On Ctrl-C the embedded database may stop before this process does; that is not news.
  let stopping = false;
  startController(process.env, undefined, (e) => {
    // Leadership is tied to that connection: without it another controller may lead, so this one exits.
    if (!stopping) console.error(`[controller] lost the database connection that holds the leader lock (${e.message}); exiting`);
    process.exit(stopping ? 0 : 1);
  }).then(
    (h) => {
      const stop = () => {
        stopping = true;
        void h.stop().catch(() => undefined).finally(() => process.exit(0));
      };
      process.once("SIGTERM", stop);
      process.once("SIGINT", stop);
    },
    (e) => {
      console.error(`[controller] ${e instanceof Error ? e.message : e}`);
      process.exit(1);
    },
  );
}
