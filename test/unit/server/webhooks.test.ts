import { createHmac } from 'node:crypto';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, type TestEnv, eventually, finding, startEnv } from './harness';

interface Received {
  platform: string;
  url: URL;
  // biome-ignore lint/suspicious/noExplicitAny: platform payloads are checked field by field
  body: any;
  verdict: string;
}

const DING_SECRET = 'SECd1ngta1k-secret';
const FEISHU_SECRET = 'feishu-signing-secret';

/**
 * A loopback stand-in for the four platforms that checks what each of them checks: the 钉钉
 * sign over timestamp+"\n"+secret within an hour, the 飞书 sign keyed by timestamp+"\n"+secret
 * within an hour, and the message shapes. It answers the way each platform answers.
 */
function receiver() {
  const got: Received[] = [];
  const waiters: (() => void)[] = [];
  let slackFailuresLeft = 1;
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const platform = url.pathname.split('/')[1]!;
    let verdict = 'ok';
    let reply: string;
    if (platform === 'dingtalk') {
      const ts = Number(url.searchParams.get('timestamp'));
      const sign = url.searchParams.get('sign') ?? '';
      const want = createHmac('sha256', DING_SECRET).update(`${ts}\n${DING_SECRET}`).digest('base64');
      if (url.searchParams.get('access_token') !== 'DTOKEN') verdict = 'token';
      else if (sign !== want || Math.abs(Date.now() - ts) > 3600_000) verdict = 'sign';
      else if (
        body.msgtype !== 'markdown' ||
        typeof body.markdown?.title !== 'string' ||
        !body.markdown?.text
      )
        verdict = 'shape';
      reply = JSON.stringify(
        verdict === 'ok' ? { errcode: 0, errmsg: 'ok' } : { errcode: 310000, errmsg: verdict },
      );
    } else if (platform === 'feishu') {
      const ts = Number(body.timestamp);
      const want = createHmac('sha256', `${ts}\n${FEISHU_SECRET}`).update('').digest('base64');
      if (body.sign !== want || Math.abs(Date.now() / 1000 - ts) > 3600) verdict = 'sign';
      else if (body.msg_type !== 'post' || !Array.isArray(body.content?.post?.zh_cn?.content))
        verdict = 'shape';
      reply = JSON.stringify(
        verdict === 'ok' ? { code: 0, msg: 'success', data: {} } : { code: 19021, msg: verdict },
      );
    } else if (platform === 'wecom') {
      if (url.searchParams.get('key') !== 'WKEY') verdict = 'key';
      else if (body.msgtype !== 'markdown' || typeof body.markdown?.content !== 'string') verdict = 'shape';
      else if (Buffer.byteLength(body.markdown.content) > 4096) verdict = 'too long';
      reply = JSON.stringify(
        verdict === 'ok' ? { errcode: 0, errmsg: 'ok' } : { errcode: 93000, errmsg: verdict },
      );
    } else {
      if (typeof body.text !== 'string' || !Array.isArray(body.blocks)) verdict = 'shape';
      if (slackFailuresLeft > 0) {
        slackFailuresLeft--;
        verdict = 'unavailable';
        res.writeHead(503).end('service unavailable');
        got.push({ platform, url, body, verdict });
        for (const w of waiters.splice(0)) w();
        return;
      }
      reply = verdict === 'ok' ? 'ok' : 'invalid_payload';
    }
    got.push({ platform, url, body, verdict });
    for (const w of waiters.splice(0)) w();
    res
      .writeHead(verdict === 'ok' || platform !== 'slack' ? 200 : 400, { 'content-type': 'application/json' })
      .end(reply);
  });
  return {
    got,
    server,
    async listen(): Promise<string> {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async until(pred: (g: Received[]) => boolean) {
      while (!pred(got)) await new Promise<void>((r) => waiters.push(r));
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe.each(BACKENDS)('group-chat webhooks on %s', (backend) => {
  let env: TestEnv;
  const rx = receiver();
  let base = '';
  beforeAll(async () => {
    base = await rx.listen();
    env = await startEnv(backend);
    const team = env.demo.teams[0]!.id;
    const hooks = [
      { platform: 'wecom', url: `${base}/wecom/cgi-bin/webhook/send?key=WKEY` },
      { platform: 'dingtalk', url: `${base}/dingtalk/robot/send?access_token=DTOKEN`, secret: DING_SECRET },
      { platform: 'feishu', url: `${base}/feishu/open-apis/bot/v2/hook/HOOK`, secret: FEISHU_SECRET },
      { platform: 'slack', url: `${base}/slack/services/T000/B000/XXXX`, minSeverity: 'critical' },
    ];
    for (const h of hooks) {
      const r = await env.call('POST', `/v1/teams/${team}/webhooks`, { cookie: env.cookies.admin, body: h });
      expect(r.status).toBe(201);
    }
  });
  afterAll(async () => {
    await env?.close();
    await rx.close();
  });

  it('sends each platform its own format, signed where the platform signs, retrying failures', async () => {
    const warn = finding({ severity: 'warning', title: '未核实身份' });
    const crit = finding({ severity: 'critical', title: '承诺保本收益' });
    await env.call('POST', '/v1/ingest', { token: env.agentToken, body: { findings: [warn, crit] } });
    await rx.until((g) => g.filter((x) => x.verdict === 'ok').length >= 7);
    const ok = rx.got.filter((x) => x.verdict === 'ok');
    const byPlatform = (p: string) => ok.filter((x) => x.platform === p);
    expect(byPlatform('wecom')).toHaveLength(2);
    expect(byPlatform('dingtalk')).toHaveLength(2);
    expect(byPlatform('feishu')).toHaveLength(2);
    // Slack only takes critical, and its first attempt got a 503: the retry delivered it.
    expect(byPlatform('slack')).toHaveLength(1);
    expect(rx.got.filter((x) => x.platform === 'slack' && x.verdict === 'unavailable')).toHaveLength(1);
    expect(rx.got.filter((x) => x.verdict !== 'ok' && x.verdict !== 'unavailable')).toEqual([]);

    const link = `${env.url}/console/conversations/${crit.finding.conversationId}?finding=${crit.finding.id}`;
    const wecom = byPlatform('wecom').find((x) => x.body.markdown.content.includes(crit.finding.id))!;
    expect(wecom.body.markdown.content).toContain(`(${link})`);
    expect(wecom.body.markdown.content).toContain('承诺保本收益');
    const ding = byPlatform('dingtalk').find((x) => x.body.markdown.text.includes(crit.finding.id))!;
    expect(ding.body.markdown.text).toContain(link);
    const fei = byPlatform('feishu').find((x) => JSON.stringify(x.body).includes(crit.finding.id))!;
    expect(fei.body.content.post.zh_cn.content.flat()).toContainEqual({
      tag: 'a',
      text: '查看证据 View evidence',
      href: link,
    });
    const slack = byPlatform('slack')[0]!;
    expect(JSON.stringify(slack.body.blocks)).toContain(`<${link}|`);

    const deliveries = await eventually(async () => {
      const rows = await env.database.db
        .selectFrom('webhook_deliveries')
        .select(['status', 'attempts'])
        .execute();
      return rows.every((d) => d.status === 'sent') && rows;
    });
    expect(deliveries.map((d) => d.attempts).sort()).toEqual([1, 1, 1, 1, 1, 1, 2]);
  });

  it('lists webhooks to leads with keys and secrets masked', async () => {
    const r = await env.call('GET', `/v1/teams/${env.demo.teams[0]!.id}/webhooks`, {
      cookie: env.cookies.lead,
    });
    expect(r.status).toBe(200);
    expect(r.text).not.toContain('WKEY');
    expect(r.text).not.toContain('DTOKEN');
    expect(r.text).not.toContain(DING_SECRET);
    expect(r.json.webhooks.map((w: { signed: boolean }) => w.signed)).toEqual([false, true, true, false]);
  });
});
