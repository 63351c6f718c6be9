// Fixed-size bit sets over endpoint indexes. The reachability evaluator turns every selector into
// one of these once, so a matrix of n endpoints costs word operations instead of n² selector walks.

export class BitSet {
  readonly size: number;
  readonly words: Uint32Array;

  constructor(size: number, words?: Uint32Array) {
    this.size = size;
    this.words = words ?? new Uint32Array((size + 31) >>> 5);
  }

  static full(size: number): BitSet {
    const b = new BitSet(size);
    b.words.fill(0xffffffff);
    b.trim();
    return b;
  }

  static of(size: number, indexes: Iterable<number>): BitSet {
    const b = new BitSet(size);
    for (const i of indexes) b.add(i);
    return b;
  }

  private trim(): void {
    const extra = this.words.length * 32 - this.size;
    if (extra > 0 && this.words.length > 0) this.words[this.words.length - 1]! &= 0xffffffff >>> extra;
  }

  clone(): BitSet {
    return new BitSet(this.size, this.words.slice());
  }

  add(i: number): void {
    this.words[i >>> 5]! |= 1 << (i & 31);
  }

  delete(i: number): void {
    this.words[i >>> 5]! &= ~(1 << (i & 31));
  }

  has(i: number): boolean {
    return ((this.words[i >>> 5]! >>> (i & 31)) & 1) === 1;
  }

  and(o: BitSet): BitSet {
    const r = new BitSet(this.size);
    for (let w = 0; w < r.words.length; w++) r.words[w] = this.words[w]! & o.words[w]!;
    return r;
  }

  or(o: BitSet): BitSet {
    const r = new BitSet(this.size);
    for (let w = 0; w < r.words.length; w++) r.words[w] = this.words[w]! | o.words[w]!;
    return r;
  }

  andNot(o: BitSet): BitSet {
    const r = new BitSet(this.size);
    for (let w = 0; w < r.words.length; w++) r.words[w] = this.words[w]! & ~o.words[w]!;
    return r;
  }

  /** In-place variants for the evaluator's inner loop (no allocation). */
  andNotInPlace(o: BitSet): void {
    for (let w = 0; w < this.words.length; w++) this.words[w]! &= ~o.words[w]!;
  }

  orInPlace(o: BitSet): void {
    for (let w = 0; w < this.words.length; w++) this.words[w]! |= o.words[w]!;
  }

  isEmpty(): boolean {
    for (let w = 0; w < this.words.length; w++) if (this.words[w] !== 0) return false;
    return true;
  }

  count(): number {
    let c = 0;
    for (let w = 0; w < this.words.length; w++) {
      let x = this.words[w]!;
      x -= (x >>> 1) & 0x55555555;
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      c += (((x + (x >>> 4)) & 0xf0f0f0f) * 0x1010101) >>> 24;
    }
    return c;
  }

  forEach(fn: (i: number) => void): void {
    for (let w = 0; w < this.words.length; w++) {
      let x = this.words[w]!;
      while (x !== 0) {
        const t = x & -x;
        fn((w << 5) + (31 - Math.clz32(t)));
        x ^= t;
      }
    }
  }

  toArray(): number[] {
    const out: number[] = [];
    this.forEach((i) => out.push(i));
    return out;
  }
}
