/**
 * Demo history for the QA console: agents in both demo teams, scripted conversations (angry,
 * calm, promises, rude replies, threats) with their transcripts, and findings made by running the
 * real general rulebook over them, exactly as the extension would. Also publishes that rulebook
 * for both teams. Idempotent per conversation id.
 */
import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { newId } from '../../lib/ids';
import { compileRulebook, createConversation, hitsToFindings } from '../../lib/rules';
import type { DB } from '../db/types';
import type { DemoCredentials } from '../seed';
import { DAY_MS, qaDb } from './db';
import { publishDocument } from './routes-rules';
import { refreshScores } from './scores';

type Turn = [speaker: 'agent' | 'customer', text: string, emotion?: string, intent?: string];

const SCRIPTS: { name: string; turns: Turn[] }[] = [
  {
    name: 'angry-refund',
    turns: [
      ['agent', '您好，很高兴为您服务。', 'neutral'],
      ['customer', '我的退款到现在还没到账，太过分了！', 'angry', 'refund_return'],
      ['agent', '我也没办法，系统就是这样。', 'neutral'],
      ['customer', '这是第三次打电话了，还是没解决，我要投诉！', 'angry', 'complaint_escalation'],
      ['agent', '我保证退款明天一定到账。', 'neutral'],
      ['customer', '再不解决我就去12315投诉你们。', 'angry', 'complaint_escalation'],
    ],
  },
  {
    name: 'calm-order',
    turns: [
      ['agent', '您好，欢迎致电，请问有什么可以帮您？', 'neutral'],
      ['customer', '我想查一下订单什么时候发货。', 'neutral', 'order_status'],
      ['agent', '好的，您的订单今天下午会发出。', 'positive'],
      ['customer', '好的，谢谢。', 'positive', 'praise_thanks'],
      ['agent', '请问还有其他可以帮您的吗？祝您生活愉快，再见。', 'positive'],
    ],
  },
  {
    name: 'frustrated-billing',
    turns: [
      ['agent', '您好，很高兴为您服务。', 'neutral'],
      ['customer', '这个月账单多扣了我五十块，怎么回事？', 'frustrated', 'billing_dispute'],
      ['agent', '你自己去查一下账单明细吧。', 'neutral'],
      ['customer', '我就是查不明白才打电话的，不满意。', 'frustrated', 'billing_dispute'],
      ['agent', '非常抱歉给您带来不便，我帮您核实一下。', 'neutral'],
      ['agent', '已经为您退回多扣的费用，还有其他需要吗？再见。', 'positive'],
    ],
  },
  {
    name: 'english-cancel',
    turns: [
      ['agent', 'Hello, thanks for calling, how can I help?', 'neutral'],
      [
        'customer',
        'I want to cancel my account, this is the third time I called.',
        'angry',
        'cancel_account',
      ],
      ['agent', "That's not my problem, you need to fill in the form.", 'neutral'],
      ['customer', 'This is ridiculous, I will file a complaint.', 'angry', 'complaint_escalation'],
      ['agent', 'I understand. Is there anything else? Have a nice day.', 'neutral'],
    ],
  },
  {
    name: 'tech-issue',
    turns: [
      ['agent', '您好，很高兴为您服务。', 'neutral'],
      ['customer', '我的App一直登录不上。', 'frustrated', 'account_access'],
      ['agent', '请您先清除缓存后重新登录试试。', 'neutral'],
      ['customer', '可以了，谢谢你。', 'positive', 'praise_thanks'],
      ['agent', '不客气，还有什么可以帮您？祝您愉快。', 'positive'],
    ],
  },
];

export interface QaDemo {
  agents: { id: string; teamId: string }[];
  conversationIds: string[];
}

export async function seedQaDemo(
  rootDb: Kysely<DB>,
  demo: DemoCredentials,
  opts: { now?: number; conversations?: number; days?: number } = {},
): Promise<QaDemo> {
  const now = opts.now ?? Date.now();
  const total = opts.conversations ?? 60;
  const days = opts.days ?? 14;
  const db = qaDb({ db: rootDb });
  const book = JSON.parse(readFileSync(new URL('../../rulebooks/general.json', import.meta.url), 'utf8'));
  const compiled = compileRulebook(book);
  if (!compiled.ok) throw new Error('rulebooks/general.json does not compile');
  const agents: QaDemo['agents'] = [{ id: demo.users.agent.id, teamId: 'team_shanghai_a' }];
  const extra = [
    {
      id: 'user_demo_agent2',
      email: 'agent2@demo.sotto.local',
      name: '陈静 (agent)',
      team: 'team_shanghai_a',
    },
    {
      id: 'user_demo_agent3',
      email: 'agent3@demo.sotto.local',
      name: 'Sam Ortiz (agent)',
      team: 'team_chicago_b',
    },
  ];
  for (const u of extra) {
    await db
      .insertInto('users')
      .values({
        id: u.id,
        org_id: demo.orgId,
        email: u.email,
        display_name: u.name,
        role: 'agent',
        created_at: now,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    await db
      .insertInto('team_members')
      .values({ team_id: u.team, user_id: u.id })
      .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing())
      .execute();
    agents.push({ id: u.id, teamId: u.team });
  }
  for (const t of demo.teams) {
    const has = await db
      .selectFrom('documents')
      .select('version')
      .where('team_id', '=', t.id)
      .where('kind', '=', 'rulebook')
      .executeTakeFirst();
    if (!has) await publishDocument(db, t.id, 'rulebook', book, demo.users.admin.id, now);
  }
  const ids: string[] = [];
  for (let i = 0; i < total; i++) {
    const script = SCRIPTS[i % SCRIPTS.length]!;
    const agent = agents[i % agents.length]!;
    const id = `demo-${script.name}-${String(i).padStart(3, '0')}`;
    ids.push(id);
    // Spread over the period, newest first, a few minutes apart within a day.
    const startedAt = now - Math.floor((i * days * DAY_MS) / total) - 3600_000;
    const channel = i % 3 === 2 ? 'voice' : 'chat';
    const turns = script.turns.map(([speaker, text, emotion, intent], seq) => ({
      seq,
      speaker,
      text,
      ts: startedAt + seq * 20_000,
      ...(emotion ? { emotion } : {}),
      ...(intent ? { intent } : {}),
      ...(channel === 'voice' ? { metrics: { silenceMs: seq === 2 ? 18_000 : 1200 } } : {}),
    }));
    const engine = createConversation(compiled.compiled, id);
    const hits = turns.flatMap((t) =>
      engine.push(
        { seq: t.seq, speaker: t.speaker, text: t.text, ts: t.ts, channel },
        {
          ...(t.emotion ? { emotion: { label: t.emotion as 'angry' } } : {}),
          ...(t.metrics ? { metrics: t.metrics } : {}),
        },
      ),
    );
    hits.push(...engine.finish());
    // Named in all three languages, as the side panel's findings are when a device syncs them.
    const findings = hitsToFindings(hits, { newId: (ts) => newId(ts), lang: 'zh_CN', agentId: agent.id }).map(
      (f, i) => ({ ...f, names: hits[i]!.name }),
    );
    const worst = turns.some((t) => t.speaker === 'customer' && t.emotion === 'angry')
      ? 'angry'
      : turns.some((t) => t.emotion === 'frustrated')
        ? 'frustrated'
        : 'neutral';
    await db
      .insertInto('conversations')
      .values({
        org_id: demo.orgId,
        id,
        team_id: agent.teamId,
        agent_user_id: agent.id,
        agent_ref: null,
        channel,
        started_at: startedAt,
        ended_at: startedAt + turns.length * 20_000,
        customer_hash: null,
        emotion: JSON.stringify({ counts: {}, worst }),
        received_at: now,
      })
      .onConflict((oc) => oc.columns(['org_id', 'id']).doNothing())
      .execute();
    const exists = await db
      .selectFrom('findings')
      .select('id')
      .where('org_id', '=', demo.orgId)
      .where('conversation_id', '=', id)
      .limit(1)
      .executeTakeFirst();
    if (!exists && findings.length)
      await db
        .insertInto('findings')
        .values(
          findings.map((f) => ({
            id: f.id,
            org_id: demo.orgId,
            team_id: agent.teamId,
            conversation_id: id,
            rule_key: f.ruleId ?? 'unknown',
            kind: f.kind,
            severity: f.severity,
            title: f.title ?? null,
            body: JSON.stringify({ ...f, emotion: undefined }),
            ts: f.ts,
            agent_user_id: agent.id,
            device_id: 'demo-history',
            escalate_after_ms: null,
            received_at: now,
          })),
        )
        .execute();
    await db
      .insertInto('qa_transcripts')
      .values({
        org_id: demo.orgId,
        conversation_id: id,
        team_id: agent.teamId,
        turns: JSON.stringify(turns),
        received_at: now,
      })
      .onConflict((oc) => oc.columns(['org_id', 'conversation_id']).doNothing())
      .execute();
  }
  await refreshScores({ db: rootDb, now: () => now }, 0);
  return { agents, conversationIds: ids };
}
