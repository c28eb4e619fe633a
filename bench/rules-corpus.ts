/** Deterministic mixed zh/en text and patterns for the rule-engine benchmark. */

// 400 frequent Simplified characters and 200 everyday English words: enough overlap with the
// patterns that the automaton leaves the root often, as in real chat text.
const ZH =
  '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保发离服款退货订单价费送账户客服投诉问题帮助需要处理谢谢您好请稍等查询'.split(
    '',
  );
const EN =
  'the be to of and a in that have i it for not on with he as you do at this but his by from they we say her she or an will my one all would there their what so up out if about who get which go me when make can like time no just him know take people into year your good some could them see other than then now look only come its over think also back after use two how our work first well way even new want because any these give day most us account refund order delivery price plan payment card balance guarantee return risk invest product service customer agent manager complaint cancel contract upgrade package data phone number email address verify identity recorded call quality please thank sorry help problem issue today tomorrow week month'.split(
    ' ',
  );

/** Small deterministic PRNG (mulberry32) so every run measures the same data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

export function makePatterns(count: number, seed = 1): string[] {
  const r = rng(seed);
  const set = new Set<string>();
  while (set.size < count) {
    if (set.size % 2 === 0) {
      const len = 2 + Math.floor(r() * 4);
      let p = '';
      for (let i = 0; i < len; i++) p += pick(r, ZH);
      set.add(p);
    } else {
      // Real English phrases are whole words: at least two, or one long word.
      const words = 1 + Math.floor(r() * 3);
      const p: string[] = [];
      for (let i = 0; i < words; i++) p.push(pick(r, EN));
      const phrase = p.join(' ');
      if (words > 1 || phrase.length >= 6) set.add(phrase);
    }
  }
  return [...set];
}

/** About `chars` UTF-16 units of chat-like text, with a pattern planted every ~200 characters. */
export function makeText(chars: number, patterns: readonly string[], seed = 2): string {
  const r = rng(seed);
  const parts: string[] = [];
  let n = 0;
  while (n < chars) {
    let s: string;
    const x = r();
    if (x < 0.05) s = pick(r, patterns);
    else if (x < 0.55) {
      const len = 4 + Math.floor(r() * 20);
      s = '';
      for (let i = 0; i < len; i++) s += pick(r, ZH);
      s += pick(r, ['，', '。', '？', '']);
    } else {
      const words: string[] = [];
      const len = 3 + Math.floor(r() * 10);
      for (let i = 0; i < len; i++) words.push(pick(r, EN));
      s = ` ${words.join(' ')}${pick(r, ['.', ',', '?', ''])} `;
    }
    parts.push(s);
    n += s.length;
  }
  return parts.join('');
}
