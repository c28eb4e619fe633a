/**
 * A synthetic corpus of contact-centre conversations (JSON Lines of utterances) for the batch
 * CLI's end-to-end test and benchmark. Seeded, so the same arguments always give the same bytes.
 * Lines mix zh-Hans, zh-Hant and English, clean and rule-breaking agents, calm and angry
 * customers, and PII that must be redacted.
 */
import { createWriteStream } from 'node:fs';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GREETINGS = [
  '您好，请问有什么可以帮您？',
  '您好，这里是客服中心，很高兴为您服务。',
  '您好，請問有什麼可以幫您？',
  'Hello, thanks for calling, how can I help you today?',
];
const CUSTOMER_OPENERS = [
  '我的订单三天了还没发货，怎么回事？',
  '我想问一下这个理财产品的收益怎么样',
  '我要退款，东西收到就是坏的',
  '我的話費這個月怎麼多扣了五十塊？',
  'My package still has not arrived and it has been a week.',
  '我想取消这个套餐',
  'I was charged twice for the same order.',
  '你好，我想改一下收货地址',
  '我手机号13812345678，帮我查一下账单',
  '我卡号是6222021234567890123，查下余额',
];
const CUSTOMER_FOLLOWUPS = [
  '好的，谢谢',
  '那要多久？',
  '你们怎么老是这样，太差劲了',
  '再不处理我就打12315投诉你们',
  '這樣不行，我要找你們主管',
  "OK, that's fine.",
  "This is ridiculous, I'll report you to the regulator.",
  '嗯嗯，明白了',
  '我已经等了很久了',
  '能不能快一点？',
  '我的邮箱是zhang.san@example.com',
];
const AGENT_LINES = [
  '非常抱歉给您带来不便，我马上为您查询。',
  '请您提供一下订单号，我帮您核实。',
  '好的，已经帮您登记，预计三个工作日内处理。',
  '理解您的心情，我们会尽快处理。',
  '這邊已經幫您提交申請了。',
  "I'm sorry about that, let me check it for you.",
  'Your refund has been submitted and should arrive in 3-5 days.',
  '投资有风险，理财非存款，请您谨慎选择。',
  '为了核实身份，请提供一下您的身份证后四位。',
];
const BAD_AGENT_LINES = [
  '这款理财产品保本保息，稳赚不赔',
  '你加我微信吧，私下转账更方便',
  '给个好评返现五块钱',
  '这是你自己的问题，跟我们没关系',
  "That's not my problem.",
  '你爱投诉就去投诉吧',
  '这个套餐绝对不会再收任何费用',
];
const CLOSINGS = [
  '请问还有其他可以帮您的吗？感谢您的来电，再见。',
  '感謝您的耐心等待，祝您生活愉快。',
  'Is there anything else I can help with? Have a nice day.',
  '感谢您的咨询，再见！',
];

export interface CorpusOptions {
  conversations: number;
  seed: number;
  /** First conversation's start time (ms since epoch). */
  startTs?: number;
}

/** Yields JSONL lines; the caller decides where they go (file, test buffer). */
export function* corpusLines(opts: CorpusOptions): Generator<string> {
  const rnd = mulberry32(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  let ts = opts.startTs ?? 1_764_460_800_000;
  for (let c = 0; c < opts.conversations; c++) {
    const id = `conv-${opts.seed}-${String(c).padStart(6, '0')}`;
    const agentId = `agent-${String(Math.floor(rnd() * 40)).padStart(2, '0')}`;
    const channel = rnd() < 0.6 ? 'chat' : 'voice';
    const careless = rnd() < 0.15;
    const turns: [string, string][] = [];
    if (rnd() < 0.85) turns.push(['agent', pick(GREETINGS)]);
    turns.push(['customer', pick(CUSTOMER_OPENERS)]);
    const middle = 2 + Math.floor(rnd() * 6);
    for (let i = 0; i < middle; i++) {
      turns.push(['agent', careless && rnd() < 0.4 ? pick(BAD_AGENT_LINES) : pick(AGENT_LINES)]);
      turns.push(['customer', pick(CUSTOMER_FOLLOWUPS)]);
    }
    if (rnd() < 0.8) turns.push(['agent', pick(CLOSINGS)]);
    let t = ts;
    for (let seq = 0; seq < turns.length; seq++) {
      const [speaker, text] = turns[seq]!;
      t += 2000 + Math.floor(rnd() * 20_000);
      yield JSON.stringify({
        conversationId: id,
        seq,
        speaker,
        text,
        ts: t,
        channel,
        source: 'import',
        agentId,
      });
    }
    ts += 60_000 + Math.floor(rnd() * 600_000);
  }
}

export async function writeCorpus(path: string, opts: CorpusOptions): Promise<void> {
  const out = createWriteStream(path);
  let buf = '';
  for (const line of corpusLines(opts)) {
    buf += `${line}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
}
