/** Polls `fn` until it returns something truthy, and returns that; fails naming `what` after `ms`. */
export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 30_000, everyMs = 100): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
