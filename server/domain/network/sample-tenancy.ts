// Tenancies that need no database: the demo the CLI renders when given no file, and a seeded
// synthetic one of any size for the benchmark and the scale tests.
import { DEFAULT_CONTROL_PORTS, type Tenancy } from "./types";

/**
 * Two projects on two GPU hosts: a single-VM session in project "vision", a two-host cluster
 * session in "vision", and one in "llm" that has an HTTPS egress allow-list.
 */
export function demoTenancy(): Tenancy {
  return {
    sessions: [
      {
        id: "sess-a1",
        projectId: "vision",
        resourceGroup: "gpu-kata",
        members: [{ kernelId: "kern-a1-0", clusterRole: "main", host: "gpu-node-1", ip: "10.244.1.10" }],
      },
      {
        id: "sess-b2",
        projectId: "vision",
        resourceGroup: "gpu-kata",
        members: [
          { kernelId: "kern-b2-0", clusterRole: "main", host: "gpu-node-1", ip: "10.244.1.11" },
          { kernelId: "kern-b2-1", clusterRole: "sub", host: "gpu-node-2", ip: "10.244.2.10" },
        ],
      },
      {
        id: "sess-c3",
        projectId: "llm",
        resourceGroup: "gpu-kata",
        members: [{ kernelId: "kern-c3-0", clusterRole: "main", host: "gpu-node-2", ip: "10.244.2.11" }],
      },
    ],
    projectEgress: { llm: [{ cidr: "198.51.100.0/24", ports: [443] }] },
    storageNetworks: ["192.168.50.0/24"],
    controlPlane: {
      agents: [
        { host: "gpu-node-1", ip: "172.16.0.11" },
        { host: "gpu-node-2", ip: "172.16.0.12" },
      ],
      controllers: ["172.16.0.2"],
      ports: { ...DEFAULT_CONTROL_PORTS },
    },
  };
}

// mulberry32: tiny, seeded and stable across Node versions.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticOptions {
  sessions: number;
  /** Members per session are drawn from 1..maxMembers (default 4). */
  maxMembers?: number;
  hosts?: number;
  projects?: number;
  seed?: number;
  /** Stop adding sessions once this many endpoints exist (for "1,000 endpoints"). */
  maxEndpoints?: number;
}

/** A seeded tenancy: addresses from 10.244.0.0/16, one agent per host, every fourth project with an allow-list. */
export function syntheticTenancy(o: SyntheticOptions): Tenancy {
  const rand = rng(o.seed ?? 1);
  const hosts = o.hosts ?? 50;
  const projects = o.projects ?? 100;
  const maxMembers = o.maxMembers ?? 4;
  let ipSeq = 2;
  let endpoints = 0;
  const sessions: Tenancy["sessions"] = [];
  for (let s = 0; s < o.sessions; s++) {
    const size = 1 + Math.floor(rand() * maxMembers);
    if (o.maxEndpoints !== undefined && endpoints + size > o.maxEndpoints) {
      const rest = o.maxEndpoints - endpoints;
      if (rest <= 0) break;
    }
    const n = o.maxEndpoints !== undefined ? Math.min(size, o.maxEndpoints - endpoints) : size;
    const id = `s${String(s).padStart(5, "0")}`;
    sessions.push({
      id,
      projectId: `p${String(Math.floor(rand() * projects)).padStart(3, "0")}`,
      resourceGroup: rand() < 0.8 ? "gpu-kata" : "gpu-kata-h200",
      members: Array.from({ length: n }, (_, m) => {
        const ip = `10.244.${ipSeq >> 8}.${ipSeq & 255}`;
        ipSeq++;
        return { kernelId: `${id}-k${m}`, clusterRole: m === 0 ? "main" : "sub", host: `gpu-${String(Math.floor(rand() * hosts)).padStart(3, "0")}`, ip };
      }),
    });
    endpoints += n;
  }
  const projectEgress: Tenancy["projectEgress"] = {};
  for (let p = 0; p < projects; p += 4) projectEgress[`p${String(p).padStart(3, "0")}`] = [{ cidr: `198.51.${p % 256}.0/24`, ports: [443] }];
  return {
    sessions,
    projectEgress,
    storageNetworks: ["192.168.50.0/24", "192.168.60.0/24"],
    controlPlane: {
      agents: Array.from({ length: hosts }, (_, h) => ({ host: `gpu-${String(h).padStart(3, "0")}`, ip: `172.16.${(h + 1) >> 8}.${(h + 1) & 255}` })),
      controllers: ["172.16.255.2"],
      ports: { ...DEFAULT_CONTROL_PORTS },
    },
  };
}
