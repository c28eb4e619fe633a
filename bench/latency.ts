/**
 * `npm run bench:latency`: customer message inserted into the demo desk's DOM → rendered in the
 * side panel, at 5 and 20 messages/s, in Chromium with the production build. A baseline from the
 * same run: insertion → a MutationObserver in the desk page itself (the floor any observer pays).
 * Also prints the analysis cold start and the zipped extension size. Last line: one JSON object.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { startFixtureServer } from '../test/fixtures/serve';
import { launch } from '../test/e2e/harness';
import { Desk } from '../test/e2e/pages/desk';
import { SidePanel } from '../test/e2e/pages/sidepanel';

const RATES = [
  { perSecond: 5, count: 50 },
  { perSecond: 20, count: 200 },
];

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}
const r2 = (x: number) => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  if (!process.argv.includes('--no-build')) spawnSync('npx', ['wxt', 'build'], { stdio: 'ignore' });
  const zip = spawnSync('npx', ['wxt', 'zip'], { stdio: 'ignore' });
  const out = process.env.SOTTO_OUT_DIR ?? '.output';
  const zipFile = readdirSync(out).find((f) => f.endsWith('-chrome.zip'));
  const zipMb = zip.status === 0 && zipFile ? statSync(`${out}/${zipFile}`).size / 1e6 : Number.NaN;

  const server = await startFixtureServer({ port: 0 });
  const l = await launch({ headless: true });
  const panel = await SidePanel.open(l, { ownWindow: true });
  const desk = await Desk.open(l.context, server.url);
  const all: number[] = [];
  const base: number[] = [];
  const perRate: Record<string, { p50: number; p95: number; p99: number }> = {};

  for (const { perSecond, count } of RATES) {
    const conv = await desk.load('calm-en', `bench-${perSecond}`);
    await desk.select(conv);
    await desk.customerSays(conv, 'warm-up');
    await panel.select(conv);
    await panel.waitForTurns(1, { emotions: true, timeout: 60_000 });

    // The panel notes when each marked turn appears in its DOM.
    await panel.page.evaluate(() => {
      const w = window as unknown as { seen: Record<string, number> };
      w.seen = {};
      new MutationObserver(() => {
        const now = performance.timeOrigin + performance.now();
        for (const el of Array.from(document.querySelectorAll('[data-testid="turn-text"]'))) {
          const m = /#b(\d+)#/.exec(el.textContent ?? '');
          if (m && w.seen[m[1]!] === undefined) w.seen[m[1]!] = now;
        }
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });

    // The desk inserts messages at the given rate and notes insertion and its own observer time.
    const sent = await desk.page.evaluate(
      async ({ conv, perSecond, count }) => {
        const desk = (window as unknown as { sottoDesk: { customerSays(c: string, t: string): string } })
          .sottoDesk;
        const t0: Record<string, number> = {};
        const obs: Record<string, number> = {};
        let pending = '';
        const mo = new MutationObserver(() => {
          if (pending && obs[pending] === undefined)
            obs[pending] = performance.timeOrigin + performance.now();
        });
        mo.observe(document.getElementById('conversation-body') ?? document.body, {
          childList: true,
          subtree: true,
        });
        for (let i = 0; i < count; i++) {
          pending = String(i);
          t0[pending] = performance.timeOrigin + performance.now();
          desk.customerSays(conv, `Order question #b${i}# — is there any update on my parcel?`);
          await new Promise((r) => setTimeout(r, 1000 / perSecond));
        }
        mo.disconnect();
        return { t0, obs };
      },
      { conv, perSecond, count },
    );
    await panel.page
      .waitForFunction((n) => Object.keys((window as unknown as { seen: object }).seen).length >= n, count, {
        timeout: 60_000,
      })
      .catch(async (e: unknown) => {
        const why = await panel.page.evaluate(() => {
          const seen = Object.keys((window as unknown as { seen: object }).seen).map(Number);
          const box = document.querySelector('.transcript__scroll');
          return {
            seen: seen.length,
            max: Math.max(...seen),
            rows: document.querySelectorAll('[data-testid="turn"]').length,
            top: box?.scrollTop,
            h: box?.scrollHeight,
            ch: box?.clientHeight,
            vis: document.visibilityState,
          };
        });
        console.error(JSON.stringify(why));
        throw e;
      });
    const seen = await panel.page.evaluate(
      () => (window as unknown as { seen: Record<string, number> }).seen,
    );
    const lat = Object.keys(sent.t0).map((k) => seen[k]! - sent.t0[k]!);
    const floor = Object.keys(sent.obs).map((k) => sent.obs[k]! - sent.t0[k]!);
    all.push(...lat);
    base.push(...floor);
    perRate[`${perSecond}/s`] = { p50: r2(pct(lat, 50)), p95: r2(pct(lat, 95)), p99: r2(pct(lat, 99)) };
    console.log(
      JSON.stringify({
        rate_per_s: perSecond,
        messages: count,
        ...perRate[`${perSecond}/s`],
        baseline_p95_ms: r2(pct(floor, 95)),
      }),
    );
  }

  const log = await panel.page.evaluate(
    async () =>
      (await chrome.storage.session.get('sotto:log'))['sotto:log'] as {
        msg: string;
        data?: { coldStartMs?: number };
      }[],
  );
  const cold = log.find((x) => x.msg === 'analysis ready')?.data?.coldStartMs ?? Number.NaN;
  console.log(JSON.stringify({ cold_start_ms: r2(cold), zip_mb: r2(zipMb) }));
  await l.close();
  await server.close();
  const at20 = perRate['20/s']!;
  console.log(
    JSON.stringify({
      bench: 'latency',
      p50_ms: at20.p50,
      p95_ms: at20.p95,
      p99_ms: at20.p99,
      p95_ms_at_5: perRate['5/s']!.p95,
      baseline_p95_ms: r2(pct(base, 95)),
      cold_start_ms: r2(cold),
      zip_mb: r2(zipMb),
      messages: all.length,
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
