/**
 * The side panel's attach card with real components and the real detector output shape: host access
 * asked from the click, "Attach here?" saves the proposal, import refuses bad JSON with the reason.
 */
import { signal } from '@preact/signals';
import { cleanup, fireEvent, waitFor } from '@testing-library/preact';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AttachActions, AttachPanel } from '../../../components/attach/AttachPanel';
import type { AttachView } from '../../../components/panel/store';
import { type AdapterSpec, parseAdapter } from '../../../lib/adapters/spec';
import { renderIn } from '../panel/helpers';

afterEach(cleanup);

const desk = JSON.parse(readFileSync(join(import.meta.dirname, '../../../adapters/demo-desk.json'), 'utf8'));
const proposed = (
  parseAdapter({ ...desk, id: 'user-desk-example-com', matches: ['https://desk.example.com/*'] }) as {
    spec: AdapterSpec;
  }
).spec;

function fake(opts: { url?: string; granted?: boolean } = {}) {
  let saved: AdapterSpec[] = [];
  const listeners: ((s: AdapterSpec[]) => void)[] = [];
  const calls = { request: [] as string[], propose: [] as number[], pick: [] as number[] };
  const actions: AttachActions = {
    activeTab: async () => ({ tabId: 3, ...(opts.url ? { url: opts.url } : {}) }),
    hasOrigin: async () => opts.granted ?? false,
    requestOrigin: (p) => {
      calls.request.push(p);
      return Promise.resolve(true);
    },
    onOriginsChanged: () => () => {},
    propose: async (tabId) => {
      calls.propose.push(tabId);
      return {
        ok: true,
        proposal: { spec: proposed, items: 4, withSpeaker: 4, confidence: 0.8, reasons: ['4 similar items'] },
      };
    },
    pick: async (tabId) => {
      calls.pick.push(tabId);
      return { ok: true };
    },
    load: async () => saved,
    save: async (s) => {
      saved = s;
      for (const l of listeners) l(s);
    },
    onChanged: (fn) => {
      listeners.push(fn);
      return () => {};
    },
    copy: async () => {},
    builtInIds: ['demo-desk'],
  };
  return { actions, calls, saved: () => saved };
}

const none: AttachView = {
  tabId: 3,
  adapterId: 'none',
  url: 'https://desk.example.com/inbox',
  attached: false,
  reason: 'no adapter',
};

describe('AttachPanel', () => {
  it('asks for the console origin from the click', async () => {
    const f = fake({ url: 'https://desk.example.com:8443/inbox?x=1' });
    const r = renderIn(<AttachPanel attach={signal<AttachView[]>([])} actions={f.actions} />);
    const allow = await r.findByTestId('attach-allow');
    expect(allow.textContent).toContain('https://desk.example.com/*');
    fireEvent.click(allow);
    expect(f.calls.request).toEqual(['https://desk.example.com/*']);
    await waitFor(() => expect(r.getByTestId('attach-access-state').dataset.granted).toBe('yes'));
  });

  it('Attach here? shows the proposal and saves it; Pick elements starts the picker in that tab', async () => {
    const f = fake();
    const r = renderIn(<AttachPanel attach={signal<AttachView[]>([none])} actions={f.actions} />);
    await r.findByTestId('attach-proposal');
    expect(f.calls.propose).toEqual([3]);
    fireEvent.click(r.getByTestId('attach-accept'));
    await waitFor(() => expect(f.saved().map((s) => s.id)).toEqual(['user-desk-example-com']));
    await r.findByTestId('user-adapter');
    fireEvent.click(r.getByTestId('attach-pick'));
    expect(f.calls.pick).toEqual([3]);
  });

  it('import refuses bad JSON and built-in ids with the reason; a good file is listed; delete removes it', async () => {
    const f = fake();
    const r = renderIn(<AttachPanel attach={signal<AttachView[]>([])} actions={f.actions} />);
    const box = r.getByTestId('user-adapter-import-text');
    fireEvent.input(box, { target: { value: '{"id":' } });
    fireEvent.click(r.getByTestId('user-adapter-import'));
    expect((await r.findByTestId('user-adapter-import-error')).textContent).toMatch(/not valid JSON/);
    fireEvent.input(box, { target: { value: JSON.stringify(desk) } });
    fireEvent.click(r.getByTestId('user-adapter-import'));
    await waitFor(() => expect(r.getByTestId('user-adapter-import-error').textContent).toMatch(/built-in/));
    fireEvent.input(box, { target: { value: JSON.stringify(proposed) } });
    fireEvent.click(r.getByTestId('user-adapter-import'));
    await r.findByTestId('user-adapter');
    expect(r.queryByTestId('user-adapter-import-error')).toBeNull();
    fireEvent.click(r.getByTestId('user-adapter-delete'));
    await waitFor(() => expect(r.queryByTestId('user-adapter')).toBeNull());
  });
});
