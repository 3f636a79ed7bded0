/**
 * Waiting for a decision to become final, for `GET /v1/decisions/:id?wait=`. A verdict recorded
 * in this process wakes its waiters at once; one recorded by another replica is seen at the
 * next poll, so a waiter also wakes every `pollMs`.
 */
export class DecisionWatch {
  private readonly waiting = new Map<string, Set<() => void>>();

  constructor(readonly pollMs = 1000) {}

  notify(id: string): void {
    const set = this.waiting.get(id);
    if (!set) return;
    this.waiting.delete(id);
    for (const wake of set) wake();
  }

  /** Resolves when `id` is notified, after `pollMs`, or after `ms`, whichever is first. */
  wait(id: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiting.get(id);
      if (!set) this.waiting.set(id, (set = new Set()));
      const wake = () => { clearTimeout(timer); set.delete(wake); if (!set.size && this.waiting.get(id) === set) this.waiting.delete(id); resolve(); };
      const timer = setTimeout(wake, Math.min(ms, this.pollMs));
      set.add(wake);
    });
  }
}
