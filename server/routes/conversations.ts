/** One conversation with its findings and evidence: the target of every alert's evidence link. */
import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { ConversationMeta } from '../../lib/sync/protocol';
import { type App, type AppDeps, authErrors, who } from '../http';
import { HttpError, canSeeTeam, requireRole } from '../principal';
import { recordAudit } from '../privacy';

const ConversationView = z.object({
  conversation: ConversationMeta.extend({ teamId: z.string(), agentUserId: z.string() }).nullable(),
  findings: z.array(z.unknown()),
});

export function registerConversations(app: App, deps: AppDeps): void {
  const { ctx } = deps;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/conversations/{id}',
      tags: ['conversations'],
      summary: 'A conversation’s metadata and findings (agents: only their own)',
      request: { params: z.object({ id: z.string().min(1).max(200) }) },
      responses: {
        200: { description: 'conversation', content: { 'application/json': { schema: ConversationView } } },
        ...authErrors,
      },
    }),
    async (c) => {
      const p = requireRole(await who(c, deps), ['agent', 'lead', 'qa', 'admin']);
      const { id } = c.req.valid('param');
      const conv = await ctx.db
        .selectFrom('conversations')
        .selectAll()
        .where('org_id', '=', p.orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      let findings = await ctx.db
        .selectFrom('findings')
        .select(['body', 'team_id', 'agent_user_id'])
        .where('org_id', '=', p.orgId)
        .where('conversation_id', '=', id)
        .orderBy('ts')
        .limit(5000)
        .execute();
      const teamId = conv?.team_id ?? findings[0]?.team_id;
      const agentUserId = conv?.agent_user_id ?? findings[0]?.agent_user_id;
      if (!teamId) throw new HttpError(404, 'not_found', 'no such conversation');
      const allowed = p.role === 'agent' ? agentUserId === p.userId : await canSeeTeam(ctx, p, teamId);
      if (!allowed) throw new HttpError(404, 'not_found', 'no such conversation');
      if (p.role !== 'agent')
        findings = findings.filter((f) => p.role !== 'lead' || p.teamIds.includes(f.team_id));
      const conversation = conv
        ? {
            id: conv.id,
            channel: conv.channel as 'chat' | 'voice',
            startedAt: conv.started_at,
            ...(conv.ended_at !== null ? { endedAt: conv.ended_at } : {}),
            ...(conv.agent_ref ? { agentId: conv.agent_ref } : {}),
            ...(conv.customer_hash ? { customerHash: conv.customer_hash } : {}),
            ...(conv.emotion ? { emotion: conv.emotion as z.infer<typeof ConversationMeta>['emotion'] } : {}),
            teamId: conv.team_id,
            agentUserId: conv.agent_user_id,
          }
        : null;
      await recordAudit(ctx, p, 'conversation-read', id, { via: p.kind, findings: findings.length });
      return c.json({ conversation, findings: findings.map((f) => f.body) }, 200);
    },
  );
}
