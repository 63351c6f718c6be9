/**
 * PostgreSQL LISTEN/NOTIFY fan-out for one web process: one connection listens, any number of
 * browser streams subscribe. Web replicas stay stateless — each listens on its own.
 */
import pg from "pg";
import { env } from "../env";

export { SESSION_STATUS_CHANNEL } from "./channels";

type Listener = (payload: string) => void;

const globalForEvents = globalThis as unknown as { hypercellPgEvents?: PgEvents };

class PgEvents {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  /** Channels this connection already listens on, each LISTEN issued once and one at a time. */
  private listening = new Map<string, Promise<void>>();
  private readonly listeners = new Map<string, Set<Listener>>();

  private async ensure(channel: string) {
    if (!this.client) {
      this.connecting ??= (async () => {
        const c = new pg.Client({ connectionString: env().DATABASE_URL });
        c.on("notification", (n) => {
          for (const l of this.listeners.get(n.channel) ?? []) l(n.payload ?? "");
        });
        c.on("error", () => {
          // Dropped: the next subscriber reconnects; streams fall back to polling meanwhile.
          this.client = null;
          this.connecting = null;
          this.listening = new Map();
        });
        await c.connect();
        this.client = c;
      })();
      await this.connecting;
    }
    const client = this.client!;
    let done = this.listening.get(channel);
    if (!done) {
      // pg runs one query at a time per connection: chain each LISTEN after the ones before it.
      const previous = Promise.all(this.listening.values()).catch(() => undefined);
      done = previous.then(() => client.query(`LISTEN ${channel}`)).then(() => undefined);
      this.listening.set(channel, done);
      done.catch(() => this.listening.delete(channel));
    }
    await done;
  }

  /** Calls `listener` with each notification's payload until the returned function is called. */
  async subscribe(channel: string, listener: Listener): Promise<() => void> {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    await this.ensure(channel);
    return () => set!.delete(listener);
  }
}

export function pgEvents(): PgEvents {
  globalForEvents.hypercellPgEvents ??= new PgEvents();
  return globalForEvents.hypercellPgEvents;
}
