/**
 * A lead's acknowledgements, take-overs and notes on pushed alerts go to the endpoint
 * (`POST /v1/alerts/{id}/actions`), so the team and QA see who handled what. The side panel keeps
 * each event until the endpoint took it (or refused it with a reason); a network error leaves the
 * rest for the next try.
 */
export const LEAD_ACTION_TYPES = { 'lead-ack': 'ack', 'take-over': 'take-over', note: 'note' } as const;

export interface LeadActionEvent {
  id: string;
  type: string;
  alertId?: number;
  reason?: string;
  synced?: boolean;
  refused?: string;
}

export const isLeadAction = (e: LeadActionEvent): boolean =>
  e.type in LEAD_ACTION_TYPES && e.alertId !== undefined && !e.synced && e.refused === undefined;

export interface LeadActionsResult {
  sent: string[];
  refused: Map<string, string>;
  error?: string;
}

export async function pushLeadActions(opts: {
  events: readonly LeadActionEvent[];
  endpoint: string;
  token: string;
  fetch: (url: URL, init: RequestInit) => Promise<Response>;
}): Promise<LeadActionsResult> {
  const out: LeadActionsResult = { sent: [], refused: new Map() };
  for (const e of opts.events.filter(isLeadAction)) {
    const action = LEAD_ACTION_TYPES[e.type as keyof typeof LEAD_ACTION_TYPES];
    const body = action === 'note' ? { action, note: e.reason ?? '' } : { action };
    let r: Response;
    try {
      r = await opts.fetch(new URL(`/v1/alerts/${e.alertId}/actions`, opts.endpoint), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
        body: JSON.stringify(body),
      });
    } catch (err) {
      out.error = `offline: ${String(err)}`;
      return out;
    }
    if (r.ok) out.sent.push(e.id);
    else if (r.status >= 400 && r.status < 500 && r.status !== 401 && r.status !== 429) {
      const why = ((await r.json().catch(() => ({}))) as { message?: string }).message;
      out.refused.set(e.id, why ?? `HTTP ${r.status}`);
    } else {
      out.error = `HTTP ${r.status}`;
      return out;
    }
  }
  return out;
}
