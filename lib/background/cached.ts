/**
 * A value read on demand and kept until invalidated, for reads the service worker would
 * otherwise repeat for every analysed batch (settings and enrolment from `storage`): a storage
 * read is a round trip to the browser process. A failed read is not kept; a read still in flight
 * when the value is invalidated answers its own callers only.
 */
export class Cached<T> {
  private value: Promise<T> | undefined;

  constructor(private readonly read: () => Promise<T>) {}

  get(): Promise<T> {
    if (this.value) return this.value;
    const p = this.read();
    this.value = p;
    p.catch(() => {
      if (this.value === p) this.value = undefined;
    });
    return p;
  }

  invalidate(): void {
    this.value = undefined;
  }
}
