/**
 * The batch report: one self-contained HTML file (inline CSS and SVG, no scripts, no CDN) that a
 * QA manager can open offline or attach to an email. Evidence is already redacted.
 */
import { EMOTIONS } from '../labels';
import { type Aggregate, SCORE_BUCKETS } from './aggregate';

export interface ReportMeta {
  title: string;
  generatedAt: string;
  inputs: string[];
  rulebooks: string[];
  scorecard: string;
  models: string[];
  stopped: boolean;
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const pct = (n: number, d: number) => (d > 0 ? `${((100 * n) / d).toFixed(1)}%` : '–');
const EMOTION_COLOURS: Record<string, string> = {
  angry: '#d64545',
  frustrated: '#e8a33d',
  neutral: '#9aa5b1',
  positive: '#3f9c63',
};

function barChart(
  values: number[],
  labels: string[],
  opts: { width: number; height: number; colour: string; title: string },
): string {
  const max = Math.max(1, ...values);
  const n = values.length;
  const pad = 28;
  const bw = (opts.width - pad) / n;
  const h = opts.height - 36;
  const bars = values
    .map((v, i) => {
      const bh = (v / max) * h;
      const x = pad + i * bw;
      const y = 8 + h - bh;
      return (
        `<rect x="${(x + 2).toFixed(1)}" y="${y.toFixed(1)}" width="${(bw - 4).toFixed(1)}" height="${bh.toFixed(1)}" fill="${opts.colour}"><title>${esc(labels[i]!)}: ${v}</title></rect>` +
        `<text x="${(x + bw / 2).toFixed(1)}" y="${(opts.height - 14).toFixed(1)}" font-size="10" text-anchor="middle">${esc(labels[i]!)}</text>` +
        (v > 0
          ? `<text x="${(x + bw / 2).toFixed(1)}" y="${(y - 2).toFixed(1)}" font-size="9" text-anchor="middle">${v}</text>`
          : '')
      );
    })
    .join('');
  return `<svg role="img" aria-label="${esc(opts.title)}" viewBox="0 0 ${opts.width} ${opts.height}" width="100%" style="max-width:${opts.width}px">${bars}<line x1="${pad}" y1="${8 + h}" x2="${opts.width}" y2="${8 + h}" stroke="#888"/></svg>`;
}

function hbarChart(rows: { label: string; value: number; colour: string }[], title: string): string {
  const width = 640;
  const rowH = 22;
  const labelW = 260;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const body = rows
    .map((r, i) => {
      const w = ((width - labelW - 60) * r.value) / max;
      const y = i * rowH;
      return (
        `<text x="${labelW - 6}" y="${y + 15}" font-size="11" text-anchor="end">${esc(r.label.slice(0, 42))}</text>` +
        `<rect x="${labelW}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${r.colour}"><title>${esc(r.label)}: ${r.value}</title></rect>` +
        `<text x="${(labelW + w + 4).toFixed(1)}" y="${y + 15}" font-size="10">${r.value}</text>`
      );
    })
    .join('');
  return `<svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${Math.max(rowH, rows.length * rowH)}" width="100%" style="max-width:${width}px">${body}</svg>`;
}

function stackedBar(counts: Partial<Record<string, number>>, title: string): string {
  const total = EMOTIONS.reduce((s, e) => s + (counts[e] ?? 0), 0);
  const width = 640;
  let x = 0;
  const parts = EMOTIONS.map((e) => {
    const v = counts[e] ?? 0;
    const w = total > 0 ? (width * v) / total : 0;
    const seg = `<rect x="${x.toFixed(1)}" y="0" width="${w.toFixed(1)}" height="24" fill="${EMOTION_COLOURS[e]}"><title>${e}: ${v} (${pct(v, total)})</title></rect>`;
    x += w;
    return seg;
  }).join('');
  const legend = EMOTIONS.map(
    (e, i) =>
      `<rect x="${i * 160}" y="32" width="10" height="10" fill="${EMOTION_COLOURS[e]}"/><text x="${i * 160 + 14}" y="41" font-size="11">${e} ${pct(counts[e] ?? 0, total)}</text>`,
  ).join('');
  return `<svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} 48" width="100%" style="max-width:${width}px">${parts}${legend}</svg>`;
}

const SEVERITY_COLOURS: Record<string, string> = {
  'auto-fail': '#8b1e1e',
  critical: '#d64545',
  warning: '#e8a33d',
  hint: '#4a7fc1',
  info: '#9aa5b1',
};

export function renderReport(a: Aggregate, meta: ReportMeta): string {
  const avg = a.conversations > 0 ? a.scoreSum / a.conversations : 0;
  const bucket = 100 / SCORE_BUCKETS;
  const histLabels = a.histogram.map(
    (_, i) => `${i * bucket}–${i === SCORE_BUCKETS - 1 ? 100 : (i + 1) * bucket - 1}`,
  );
  const rules = Object.values(a.rules).sort(
    (x, y) => y.conversations - x.conversations || x.ruleId.localeCompare(y.ruleId),
  );
  const topRules = rules.slice(0, 15);
  const agents = Object.entries(a.agents).sort(
    (x, y) => y[1].conversations - x[1].conversations || x[0].localeCompare(y[0]),
  );
  const agentRows = agents
    .slice(0, 300)
    .map(
      ([id, s]) =>
        `<tr><td>${esc(id)}</td><td>${s.conversations}</td><td>${(s.scoreSum / s.conversations).toFixed(1)}</td><td>${pct(s.passed, s.conversations)}</td><td>${s.autoFailed}</td><td>${s.findings}</td><td>${s.angryCustomers}</td></tr>`,
    )
    .join('');
  const ruleRows = rules
    .map(
      (r) =>
        `<tr><td><code>${esc(r.ruleId)}</code></td><td>${esc(r.title)}</td><td><span class="sev" style="background:${SEVERITY_COLOURS[r.severity] ?? '#999'}">${esc(r.severity)}</span></td><td>${r.conversations}</td><td>${pct(r.conversations, a.conversations)}</td><td>${r.findings}</td></tr>`,
    )
    .join('');
  const examples = topRules
    .flatMap((r) =>
      (a.examples[r.ruleId] ?? []).map((ex) => {
        const before = esc(ex.text.slice(0, ex.start));
        const hit = esc(ex.text.slice(ex.start, ex.end));
        const after = esc(ex.text.slice(ex.end));
        return `<li><code>${esc(ex.ruleId)}</code> <span class="sev" style="background:${SEVERITY_COLOURS[ex.severity] ?? '#999'}">${esc(ex.severity)}</span> <span class="muted">#${ex.seq} ${esc(ex.speaker)}</span><blockquote>${before}<mark>${hit}</mark>${after}</blockquote></li>`;
      }),
    )
    .join('');
  const skipped = Object.entries(a.skipped.byReason)
    .sort((x, y) => y[1] - x[1])
    .map(([r, n]) => `<li>${esc(r)}: ${n}</li>`)
    .join('');
  const dims = Object.entries(a.dimensions)
    .map(([d, s]) => `<tr><td>${esc(d)}</td><td>${(s.sum / s.n).toFixed(2)}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(meta.title)}</title>
<style>
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1f2933}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #e4e7eb}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:.75rem}
.card{border:1px solid #e4e7eb;border-radius:6px;padding:.6rem .8rem}.card b{display:block;font-size:1.4rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eef0f2;padding:.25rem .4rem;text-align:left}
mark{background:#ffe08a;padding:0 .1em}blockquote{margin:.25rem 0 .75rem;padding:.4rem .6rem;background:#f5f7fa;border-left:3px solid #cbd2d9;white-space:pre-wrap}
.sev{color:#fff;border-radius:3px;padding:0 .35em;font-size:.8em}.muted{color:#7b8794}svg text{fill:#1f2933}
@media (prefers-color-scheme:dark){body{background:#111418;color:#e4e7eb}svg text{fill:#e4e7eb}blockquote{background:#1c2026}.card{border-color:#323a45}}
</style></head><body>
<h1>${esc(meta.title)}</h1>
<p class="muted">Generated ${esc(meta.generatedAt)}${meta.stopped ? ' — <b>stopped early; partial results</b>' : ''}. Inputs: ${esc(meta.inputs.join(', '))}. Rulebooks: ${esc(meta.rulebooks.join(', '))}. Scorecard: ${esc(meta.scorecard)}. Models: ${esc(meta.models.join(', ') || 'none')}.</p>
<div class="cards">
<div class="card"><b id="conversations">${a.conversations}</b>conversations</div>
<div class="card"><b>${a.turns}</b>turns</div>
<div class="card"><b id="findings">${a.findings}</b>findings</div>
<div class="card"><b id="average">${avg.toFixed(1)}</b>average score</div>
<div class="card"><b>${pct(a.passed, a.conversations)}</b>passed</div>
<div class="card"><b>${a.autoFailed}</b>auto-failed</div>
<div class="card"><b id="skipped">${a.skipped.total}</b>skipped</div>
</div>
<h2>Score distribution</h2>
${barChart(a.histogram, histLabels, { width: 640, height: 200, colour: '#4a7fc1', title: 'score distribution' })}
${dims ? `<table><tr><th>dimension</th><th>average points</th></tr>${dims}</table>` : ''}
<h2>Top rules</h2>
${hbarChart(
  topRules.map((r) => ({
    label: `${r.ruleId} — ${r.title}`,
    value: r.conversations,
    colour: SEVERITY_COLOURS[r.severity] ?? '#999',
  })),
  'top rules by conversations',
)}
<table><tr><th>rule</th><th>name</th><th>severity</th><th>conversations</th><th>share</th><th>findings</th></tr>${ruleRows}</table>
<h2>Emotion mix</h2>
<p>Customer turns</p>${stackedBar(a.emotions.customer, 'customer emotion mix')}
<p>Agent turns</p>${stackedBar(a.emotions.agent, 'agent emotion mix')}
<p>Worst customer emotion per conversation</p>${stackedBar(a.worstCustomer, 'worst customer emotion per conversation')}
<h2>Agents</h2>
<table><tr><th>agent</th><th>conversations</th><th>avg score</th><th>passed</th><th>auto-failed</th><th>findings</th><th>angry customers</th></tr>${agentRows}</table>
${agents.length > 300 ? `<p class="muted">${agents.length - 300} more agents in scores.csv</p>` : ''}
<h2>Examples</h2>
<ul>${examples || '<li class="muted">no findings with evidence</li>'}</ul>
<h2>Skipped</h2>
${a.skipped.total === 0 ? '<p class="muted">nothing skipped</p>' : `<ul>${skipped}</ul><details><summary>first problems</summary><pre>${esc(a.skipped.samples.join('\n'))}</pre></details>`}
</body></html>
`;
}
