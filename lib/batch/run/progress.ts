/**
 * Progress for long runs: a redrawn bar with counts, rate and ETA on a terminal; a plain line
 * every few seconds otherwise (CI logs, files), so logs stay readable.
 */
export interface ProgressState {
  conversations: number;
  skipped: number;
  findings: number;
  bytesRead: number;
  bytesTotal: number;
}

export class Progress {
  private last = 0;
  private readonly t0 = Date.now();

  constructor(
    private readonly out: NodeJS.WriteStream | { write(s: string): boolean; isTTY?: boolean },
    private readonly intervalMs = (out as { isTTY?: boolean }).isTTY ? 200 : 5000,
  ) {}

  update(s: ProgressState, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < this.intervalMs) return;
    this.last = now;
    const secs = Math.max(0.001, (now - this.t0) / 1000);
    const rate = s.conversations / secs;
    const frac = s.bytesTotal > 0 ? Math.min(1, s.bytesRead / s.bytesTotal) : 0;
    const eta = frac > 0.01 ? (secs * (1 - frac)) / frac : Number.NaN;
    const etaText = Number.isFinite(eta) ? fmtDuration(eta) : '?';
    const counts = `${s.conversations} conversations, ${s.findings} findings, ${s.skipped} skipped, ${rate.toFixed(0)}/s`;
    if ((this.out as { isTTY?: boolean }).isTTY) {
      const width = 24;
      const filled = Math.round(frac * width);
      this.out.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${counts}, ETA ${etaText}\x1b[K`,
      );
    } else {
      this.out.write(
        `progress: ${(frac * 100).toFixed(0)}% ${counts}, elapsed ${fmtDuration(secs)}, ETA ${etaText}\n`,
      );
    }
  }

  done(): void {
    if ((this.out as { isTTY?: boolean }).isTTY) this.out.write('\n');
  }
}

export function fmtDuration(s: number): string {
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
