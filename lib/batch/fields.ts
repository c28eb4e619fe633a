/** Reading speakers, times and channels as exports write them (zh and en). */
import type { Channel, Speaker } from '../labels';

const AGENT = new Set([
  'agent',
  'a',
  'staff',
  'support',
  'rep',
  'representative',
  'advisor',
  'operator',
  'csr',
  'service',
  '客服',
  '坐席',
  '座席',
  '人工客服',
  '员工',
  '客服人员',
  '专员',
  '話務員',
  '客服專員',
  '員工',
  '銷售',
  '销售',
]);
const CUSTOMER = new Set([
  'customer',
  'c',
  'user',
  'client',
  'caller',
  'visitor',
  'buyer',
  'consumer',
  'guest',
  '客户',
  '用户',
  '顾客',
  '访客',
  '买家',
  '來電者',
  '客戶',
  '用戶',
  '顧客',
  '訪客',
  '買家',
  '来电者',
]);
const SYSTEM = new Set(['system', 'bot', 'robot', 'ivr', 'auto', '系统', '系統', '机器人', '機器人']);

/** Maps a role value to a speaker; agent names given by the user win over the built-in words. */
export function parseSpeaker(raw: string, agentNames?: ReadonlySet<string>): Speaker | undefined {
  const v = raw.trim();
  if (agentNames?.has(v)) return 'agent';
  const k = v.toLowerCase();
  if (AGENT.has(k)) return 'agent';
  if (CUSTOMER.has(k)) return 'customer';
  if (SYSTEM.has(k)) return 'system';
  return undefined;
}

/** Words that mark a display name as an agent's in chat exports (`客服小王`, `Agent Sam`). */
export function looksLikeAgentName(name: string): boolean {
  return /客服|坐席|座席|专员|專員|agent|support|service|staff|operator|advisor/i.test(name);
}

export function looksLikeSystemName(name: string): boolean {
  return /^(system|bot|robot|ivr|系统|系統|机器人|機器人)$/i.test(name.trim());
}

/**
 * Milliseconds: epoch seconds or milliseconds, ISO or `YYYY-MM-DD HH:MM:SS` (read as UTC when no
 * zone is given, so a run gives the same output on every machine), or a clock offset `HH:MM:SS(.mmm)`.
 */
export function parseTimestamp(raw: string): number | undefined {
  const v = raw.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) {
    const n = Number(v);
    return n < 1e11 && n > 1e8 ? Math.round(n * 1000) : Math.round(n);
  }
  const clock = /^(?:(\d{1,3}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?$/.exec(v);
  if (clock) {
    const [, h, m, s, ms] = clock;
    return ((Number(h ?? 0) * 60 + Number(m)) * 60 + Number(s)) * 1000 + Number((ms ?? '0').padEnd(3, '0'));
  }
  const dt =
    /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,3}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(
      v,
    );
  if (dt) {
    const [, y, mo, d, h, mi, s, ms, zone] = dt;
    const utc = Date.UTC(
      Number(y),
      Number(mo) - 1,
      Number(d),
      Number(h ?? 0),
      Number(mi ?? 0),
      Number(s ?? 0),
      Number((ms ?? '0').padEnd(3, '0')),
    );
    if (!zone || zone === 'Z') return utc;
    const zm = /([+-])(\d{2}):?(\d{2})/.exec(zone)!;
    const off = (Number(zm[2]) * 60 + Number(zm[3])) * 60_000;
    return zm[1] === '+' ? utc - off : utc + off;
  }
  const parsed = Date.parse(v);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined;
}

export function parseChannel(raw: string): Channel | undefined {
  const k = raw.trim().toLowerCase();
  if (['chat', 'text', 'im', 'web', '文字', '在线', '在線', '聊天', 'message'].includes(k)) return 'chat';
  if (['voice', 'call', 'phone', 'audio', '语音', '語音', '电话', '電話', '通话', '通話'].includes(k))
    return 'voice';
  return undefined;
}
