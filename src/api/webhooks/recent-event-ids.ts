/**
 * A bounded, insertion-ordered set of event ids this process has already acknowledged, to
 * answer an obvious redelivery without a round trip. Only an optimisation: the workflow's own
 * set of seen ids is what guarantees one state change per event.
 */
export class RecentEventIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.delete(id);
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
  }
}
