import type { ReadonlySignal } from '@preact/signals';
import type { Finding } from '@/lib/finding';
import { useT } from './i18n';

export function Findings({ findings }: { findings: ReadonlySignal<Finding[]> }) {
  const t = useT();
  const list = findings.value;
  return (
    <section class="card" aria-label={t('findings')}>
      <h2 class="card__title">
        {t('findings')} <span class="count">{list.length}</span>
      </h2>
      {list.length === 0 ? (
        <p class="muted">{t('noFindings')}</p>
      ) : (
        <ul class="findings" data-testid="findings">
          {list.map((f) => (
            <li
              key={f.id}
              class={`finding finding--${f.severity}`}
              data-testid="finding"
              data-rule={f.ruleId ?? f.model ?? ''}
              data-severity={f.severity}
            >
              <div class="finding__head">
                <span class={`sev sev--${f.severity}`}>{t(`severity_${f.severity.replace('-', '_')}`)}</span>
                <span class="finding__title">{f.title ?? f.ruleId ?? f.model}</span>
              </div>
              {f.evidence.map((e) => (
                <blockquote
                  key={`${e.seq}:${e.start}`}
                  class="evidence"
                  data-testid="evidence"
                  data-seq={e.seq}
                >
                  <mark>{e.text}</mark>
                </blockquote>
              ))}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
