/**
 * Group-chat webhook messages, each in its platform's own format:
 * - 企业微信 group robot: POST to `…/cgi-bin/webhook/send?key=…` with msgtype `markdown`
 *   (developer.work.weixin.qq.com/document/path/91770); success is `{"errcode":0}`.
 * - 钉钉 custom robot: msgtype `markdown`; with 加签 the URL gets `timestamp` (ms) and
 *   `sign` = urlencode(base64(HMAC-SHA256(key=secret, msg=timestamp+"\n"+secret)));
 *   success is `{"errcode":0}` (open.dingtalk.com, "自定义机器人安全设置").
 * - 飞书 custom bot: `msg_type` `post` (rich text with a link); with 签名校验 the body carries
 *   `timestamp` (s) and `sign` = base64(HMAC-SHA256(key=timestamp+"\n"+secret, msg="")); success
 *   is `{"code":0}` (open.feishu.cn, "自定义机器人使用指南").
 * - Slack incoming webhook: `{text, blocks}` with mrkdwn links `<url|label>`; success is `ok`.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { Alert } from '../../lib/sync/protocol';

export const WebhookPlatform = z.enum(['wecom', 'dingtalk', 'feishu', 'slack']);
export type WebhookPlatform = z.infer<typeof WebhookPlatform>;

export interface OutgoingRequest {
  url: string;
  body: unknown;
}

const SEVERITY_ZH: Record<string, string> = {
  info: '提示',
  hint: '提示',
  warning: '警告',
  critical: '严重',
  'auto-fail': '一票否决',
};

function headline(a: Alert): string {
  return a.kind === 'repeat-contact'
    ? `重复来电/来访 Repeat contact`
    : `${SEVERITY_ZH[a.severity] ?? a.severity} ${a.title}`;
}

function lines(a: Alert): string[] {
  const out = [`会话 Conversation: ${a.conversationId}`];
  if (a.agentId) out.push(`坐席 Agent: ${a.agentId}`);
  out.push(`规则 Rule: ${a.ruleKey} · ${a.severity}`);
  if (a.linkedConversationId) out.push(`上次会话 Earlier: ${a.linkedConversationId}`);
  return out;
}

/** Markdown special characters in ids and titles would otherwise change the message layout. */
function mdEscape(s: string): string {
  return s.replace(/([\\`*_[\]<>])/g, '\\$1');
}

export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

export function feishuSign(secret: string, timestampS: number): string {
  return createHmac('sha256', `${timestampS}\n${secret}`).update('').digest('base64');
}

export function formatWebhook(
  platform: WebhookPlatform,
  url: string,
  secret: string | null,
  alert: Alert,
  now: number,
): OutgoingRequest {
  const title = headline(alert);
  const detail = lines(alert);
  switch (platform) {
    case 'wecom': {
      const content = [
        `### <font color="warning">Sotto</font> ${mdEscape(title)}`,
        ...detail.map((l) => `> ${mdEscape(l)}`),
        `[查看证据 View evidence](${alert.evidenceUrl})`,
      ].join('\n');
      return { url, body: { msgtype: 'markdown', markdown: { content } } };
    }
    case 'dingtalk': {
      let signed = url;
      if (secret) {
        const u = new URL(url);
        u.searchParams.set('timestamp', String(now));
        u.searchParams.set('sign', dingtalkSign(secret, now));
        signed = u.toString();
      }
      const text = [
        `### Sotto ${mdEscape(title)}`,
        ...detail.map((l) => `- ${mdEscape(l)}`),
        '',
        `[查看证据 View evidence](${alert.evidenceUrl})`,
      ].join('\n');
      return { url: signed, body: { msgtype: 'markdown', markdown: { title: `Sotto ${title}`, text } } };
    }
    case 'feishu': {
      const content = {
        post: {
          zh_cn: {
            title: `Sotto ${title}`,
            content: [
              ...detail.map((l) => [{ tag: 'text', text: l }]),
              [{ tag: 'a', text: '查看证据 View evidence', href: alert.evidenceUrl }],
            ],
          },
        },
      };
      const body: Record<string, unknown> = { msg_type: 'post', content };
      if (secret) {
        const ts = Math.floor(now / 1000);
        body.timestamp = String(ts);
        body.sign = feishuSign(secret, ts);
      }
      return { url, body };
    }
    case 'slack': {
      const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      const text = `Sotto ${title}: ${alert.conversationId}`;
      return {
        url,
        body: {
          text: slackEscape(text),
          blocks: [
            { type: 'header', text: { type: 'plain_text', text: `Sotto ${title}`.slice(0, 150) } },
            { type: 'section', text: { type: 'mrkdwn', text: detail.map(slackEscape).join('\n') } },
            {
              type: 'section',
              text: { type: 'mrkdwn', text: `<${alert.evidenceUrl}|查看证据 View evidence>` },
            },
          ],
        },
      };
    }
  }
}

/** Whether a 2xx response body means the platform accepted the message. */
export function platformAccepted(
  platform: WebhookPlatform,
  status: number,
  text: string,
): { ok: boolean; error?: string } {
  if (status < 200 || status >= 300) return { ok: false, error: `HTTP ${status}: ${text.slice(0, 200)}` };
  if (platform === 'slack')
    return text.trim() === 'ok' ? { ok: true } : { ok: false, error: text.slice(0, 200) };
  try {
    const j = JSON.parse(text) as {
      errcode?: number;
      errmsg?: string;
      code?: number;
      msg?: string;
      StatusCode?: number;
    };
    // Older 飞书 hooks answer {"StatusCode":0,"StatusMessage":"success"} instead of {"code":0}.
    const code = platform === 'feishu' ? (j.code ?? j.StatusCode ?? -1) : (j.errcode ?? -1);
    return code === 0 ? { ok: true } : { ok: false, error: `code ${code}: ${j.errmsg ?? j.msg ?? ''}` };
  } catch {
    return { ok: false, error: `unreadable response: ${text.slice(0, 200)}` };
  }
}
