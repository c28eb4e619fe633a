/** Token buckets keyed by caller (device, user, address); memory only, per process. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    /** Tokens added per second. */
    private readonly rate: number,
    /** Bucket size: how much of a burst is allowed. */
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Take `cost` tokens; returns 0 when allowed, else ms until enough tokens will be there. */
  take(key: string, cost = 1): number {
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    this.buckets.set(key, b);
    if (this.buckets.size > 100_000) this.buckets.clear(); // bound memory under key churn
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return 0;
    }
    return Math.ceil(((cost - b.tokens) / this.rate) * 1000);
  }
}
