/**
 * Chat exports and captions name people, not roles. Roles are decided per conversation once all
 * names are known: names given with `--agents` and names that look like an agent's (客服小王,
 * Agent Sam) are agents; when none does, the first person to speak is taken as the agent,
 * because agent consoles open with the agent's greeting.
 */
import type { Channel, Speaker } from '../labels';
import { looksLikeAgentName, looksLikeSystemName, parseSpeaker } from './fields';
import type { ImportedConversation } from './types';

export interface NamedTurn {
  name: string;
  text: string;
  ts: number;
  line: number;
}

export function assignRoles(names: readonly string[], agentNames: ReadonlySet<string>): Map<string, Speaker> {
  const roles = new Map<string, Speaker>();
  for (const n of names) {
    if (roles.has(n)) continue;
    const direct = parseSpeaker(n, agentNames);
    if (direct) roles.set(n, direct);
    else if (looksLikeSystemName(n)) roles.set(n, 'system');
    else if (looksLikeAgentName(n)) roles.set(n, 'agent');
  }
  const anyAgent = [...roles.values()].includes('agent');
  for (const n of names) {
    if (roles.has(n)) continue;
    roles.set(n, anyAgent ? 'customer' : 'agent');
    if (!anyAgent) return assignRoles(names, new Set([...agentNames, n]));
  }
  return roles;
}

export function namedConversation(
  id: string,
  turns: readonly NamedTurn[],
  opts: { file: string; channel: Channel; agentNames: ReadonlySet<string>; source: string },
): ImportedConversation {
  const roles = assignRoles(
    turns.map((t) => t.name),
    opts.agentNames,
  );
  const agentName = turns.find((t) => roles.get(t.name) === 'agent')?.name;
  return {
    id,
    ...(agentName ? { agentId: agentName.slice(0, 200) } : {}),
    turns: turns.map((t, seq) => ({
      conversationId: id,
      seq,
      speaker: roles.get(t.name) ?? 'customer',
      text: t.text,
      ts: t.ts,
      channel: opts.channel,
      source: opts.source,
    })),
    origin: `${opts.file}:${turns[0]?.line ?? 1}`,
  };
}

/** The conversation id for a one-conversation file: its name without folders and extension. */
export function idFromFile(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.[^.]+$/, '').slice(0, 200) || 'conversation';
}
