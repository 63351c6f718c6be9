/**
 * Keeps Calico's datastore in step with the sessions (BEP-1051 networking): a session's policy and
 * endpoint labels are written before its VMs start, and removed once it has ended; at controller
 * start the whole set is reconciled, which repairs whatever a crash left half-done. Objects of live
 * sessions that someone changes by hand are NOT silently rewritten later: they show as drift on the
 * Network page, where an admin re-applies.
 */
import type { Db } from "../db";
import type { NetworkPolicyStore } from "../agent/drivers/network/network-policy-store";
import { ownerSession } from "../agent/drivers/network/network-policy-store";
import { loadPolicyState } from "../network/expected-policy";
import { LIVE_SESSION_STATUSES } from "../domain/sessions/status";

const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

export class NetworkPolicySync {
  private store: NetworkPolicyStore | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly endpoints: string[] | null,
    private readonly controllerAddress: string,
    private readonly log: (m: string) => void,
  ) {}

  get enabled(): boolean {
    return this.endpoints !== null;
  }

  private async open(): Promise<NetworkPolicyStore> {
    if (!this.store) {
      const { EtcdCalicoStore } = await import("../agent/drivers/network/etcd-calico-store");
      this.store = new EtcdCalicoStore({ endpoints: this.endpoints! });
    }
    return this.store;
  }

  /** Runs one datastore operation at a time. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * Writes what the live sessions need and deletes what belongs to sessions that no longer live.
   * Throws (AppError) when the datastore cannot be reached; nothing is half-written per session.
   */
  reconcile(reason: string): Promise<{ written: number; deleted: number }> {
    return this.serial(async () => {
      if (!this.enabled) return { written: 0, deleted: 0 };
      const store = await this.open();
      const { expected } = await loadPolicyState(this.db, this.controllerAddress);
      const r = await store.repair(expected);
      if (r.written.length || r.deleted.length) this.log(`network policy (${reason}): wrote ${r.written.length}, deleted ${r.deleted.length} Calico objects`);
      return { written: r.written.length, deleted: r.deleted.length };
    });
  }

  /** Removes the objects of sessions that are no longer live (exactly those: it reads the datastore). */
  removeEnded(): Promise<number> {
    return this.serial(async () => {
      if (!this.enabled) return 0;
      const store = await this.open();
      const owners = new Set((await store.list()).map(ownerSession).filter((x): x is string => !!x));
      if (!owners.size) return 0;
      const live = new Set(
        (await this.db.session.findMany({ where: { id: { in: [...owners].filter(isUuid) }, status: { in: [...LIVE_SESSION_STATUSES] } }, select: { id: true } })).map((s) => s.id),
      );
      let removed = 0;
      const ended = [...owners].filter((id) => !live.has(id));
      for (const id of ended) removed += (await store.remove(id)).removed.length;
      if (removed) this.log(`network policy: removed ${removed} Calico objects of ${ended.length} ended session(s)`);
      return removed;
    });
  }

  /** Each placed kernel's address on the session network (what Calico IPAM hands out; simulated here). */
  async addresses(): Promise<Map<string, string>> {
    const { fromDb } = await loadPolicyState(this.db, this.controllerAddress);
    return new Map([...fromDb.members.values()].map((m) => [m.kernelId, m.ip]));
  }

  async close(): Promise<void> {
    await this.store?.close().catch(() => undefined);
  }
}
