/** setTimeout that remembers its handles, so stop() can clear every pending timer at once. */
export class TimerSet {
  private readonly pending = new Set<NodeJS.Timeout>();
  private closed = false;

  after(ms: number, fn: () => void): void {
    if (this.closed) return;
    const handle = setTimeout(
      () => {
        this.pending.delete(handle);
        fn();
      },
      Math.max(0, ms),
    );
    this.pending.add(handle);
  }

  clearAll(): void {
    this.closed = true;
    for (const handle of this.pending) clearTimeout(handle);
    this.pending.clear();
  }

  get size(): number {
    return this.pending.size;
  }
}
