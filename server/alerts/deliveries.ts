/**
 * Sends queued webhook deliveries with retries. Deliveries are rows, so a restart resumes them;
 * a lease (next_at pushed past the request timeout) keeps two processes from sending one twice.
 */
import { backoffDelay } from '../../lib/sync/backoff';
import type { ServerContext } from '../context';
import { errorFields } from '../log';
import { toAlert } from './engine';
import { WebhookPlatform, formatWebhook, platformAccepted } from './webhook-formats';

export class DeliveryWorker {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly ctx: ServerContext,
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), this.intervalMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Run a pass now (new alerts were queued); coalesces with a pass already running. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((err) => this.ctx.log.log('warn', 'webhook pass failed', errorFields(err)))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async pass(): Promise<void> {
    const { db, now, webhooks: policy } = this.ctx;
    const t = now();
    const claimed = await db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
        .innerJoin('alerts as a', 'a.id', 'd.alert_id')
        .selectAll('a')
        .select(['d.id as delivery_id', 'd.attempts', 'w.platform', 'w.url', 'w.secret'])
        .where('d.status', '=', 'pending')
        .where('d.next_at', '<=', t)
        .orderBy('d.next_at')
        .limit(20)
        .forUpdate('d')
        .skipLocked()
        .execute();
      if (rows.length > 0) {
        await trx
          .updateTable('webhook_deliveries')
          .set({ next_at: t + policy.timeoutMs * 2 })
          .where(
            'id',
            'in',
            rows.map((r) => r.delivery_id),
          )
          .execute();
      }
      return rows;
    });
    await Promise.all(
      claimed.map(async (r) => {
        const platform = WebhookPlatform.parse(r.platform);
        const alert = toAlert(r, this.ctx.publicUrl());
        const req = formatWebhook(platform, r.url, r.secret, alert, now());
        let result: { ok: boolean; error?: string };
        try {
          const res = await fetch(req.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json; charset=utf-8' },
            body: JSON.stringify(req.body),
            signal: AbortSignal.timeout(policy.timeoutMs),
            redirect: 'error',
          });
          result = platformAccepted(platform, res.status, await res.text());
        } catch (err) {
          result = { ok: false, error: errorFields(err).error as string };
        }
        const attempts = r.attempts + 1;
        if (result.ok) {
          await db
            .updateTable('webhook_deliveries')
            .set({ status: 'sent', attempts, sent_at: now(), last_error: null })
            .where('id', '=', r.delivery_id)
            .execute();
          this.ctx.log.log('info', 'webhook sent', { platform, alertId: r.id, attempts });
          return;
        }
        const giveUp = attempts >= policy.maxAttempts;
        await db
          .updateTable('webhook_deliveries')
          .set({
            status: giveUp ? 'failed' : 'pending',
            attempts,
            last_error: result.error ?? 'failed',
            next_at: now() + backoffDelay(attempts - 1, { baseMs: policy.baseMs, capMs: policy.capMs }),
          })
          .where('id', '=', r.delivery_id)
          .execute();
        this.ctx.log.log(giveUp ? 'error' : 'warn', giveUp ? 'webhook gave up' : 'webhook retry', {
          platform,
          alertId: r.id,
          attempts,
          error: result.error,
        });
      }),
    );
    if (claimed.length === 20) this.again = true;
  }
}
