/**
 * Values for script `{variables}` read from the conversation: the customer's name (how the console
 * or the agent addresses them) and an order number the customer gave. Per turn, so the side panel
 * folds them in as turns arrive instead of rescanning the transcript.
 */
import type { Speaker } from '../labels';

export type ScriptVars = Partial<Record<'customerName' | 'orderId', string>>;

export const VARIABLE_NAMES = ['customerName', 'orderId'] as const;

// A console's join line: "客户 赵先生 通过…", "訪客 陳先生 透過…", "Customer Jane Doe joined".
const JOIN_ZH =
  /(?:客户|客戶|访客|訪客|顾客|顧客)\s*([\p{Script=Han}A-Za-z·]{1,12}?)\s*(?:通过|透過|经由|經由|进线|進線|接入)/u;
const JOIN_EN = /\b(?:customer|visitor)\s+([A-Z][a-z]+(?: [A-Z][a-z]+)?)\s+(?:joined|started|connected)/;
// How the agent addresses them: "赵先生您好", "王女士，", "Hi Mark,".
const ADDRESS_ZH = /^([\p{Script=Han}]{1,2}(?:先生|女士|小姐))/u;
const ADDRESS_EN = /^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\s+([A-Z][a-z]{1,20})\b/i;
// The customer introducing themselves.
const SELF_EN = /\b(?:my name is|this is)\s+([A-Z][a-z]+(?: [A-Z][a-z]+)?)/;
const SELF_ZH = /(?:我姓|我叫)\s*([\p{Script=Han}]{1,3})/u;
// An order number after its label, or a long code mixing letters and digits.
const ORDER_LABEL =
  /(?:订单号|订单编号|訂單編號|訂單號碼|订单|訂單|order\s*(?:number|no\.?|id|#)?)\s*(?:是|为|為|:|：|#)?\s*#?([A-Z0-9][A-Z0-9-]{4,39})/i;
const ORDER_CODE = /(?:^|[^A-Za-z0-9-])#?([A-Z]{1,4}-?\d{6,20})(?![A-Za-z0-9])/;

const NOT_NAMES = new Set(['there', 'team', 'all', 'everyone', 'again', 'sir', 'madam']);

/** Variables one turn reveals; later turns override earlier ones when merged. */
export function varsFromTurn(turn: { speaker: Speaker; text: string }): ScriptVars {
  const out: ScriptVars = {};
  const text = turn.text.trim();
  if (turn.speaker === 'system') {
    const m = JOIN_ZH.exec(text) ?? JOIN_EN.exec(text);
    if (m?.[1]) out.customerName = m[1];
  } else if (turn.speaker === 'agent') {
    const zh = ADDRESS_ZH.exec(text);
    const en = ADDRESS_EN.exec(text);
    if (zh?.[1]) out.customerName = zh[1];
    else if (en?.[1] && !NOT_NAMES.has(en[1].toLowerCase())) out.customerName = en[1];
  } else {
    const self = SELF_EN.exec(text) ?? SELF_ZH.exec(text);
    if (self?.[1]) out.customerName = self[1];
    const order = ORDER_LABEL.exec(text) ?? ORDER_CODE.exec(text);
    if (order?.[1] && /\d/.test(order[1])) out.orderId = order[1];
  }
  return out;
}

/**
 * Merges a turn's variables into what is known. A name the console gave (system line) is kept
 * over one guessed from how the agent addresses the customer.
 */
export function mergeVars(known: ScriptVars, turn: { speaker: Speaker; text: string }): ScriptVars {
  const found = varsFromTurn(turn);
  if (found.customerName === undefined && found.orderId === undefined) return known;
  const next: ScriptVars = { ...known };
  if (found.orderId) next.orderId = found.orderId;
  if (found.customerName && (turn.speaker === 'system' || !known.customerName))
    next.customerName = found.customerName;
  return next;
}

export interface Filled {
  text: string;
  /** Variables the template uses that the conversation has not revealed (left as `{name}`). */
  missing: string[];
}

/** Fills `{name}` placeholders with known values; unknown ones stay for the agent to complete. */
export function fillTemplate(template: string, vars: ScriptVars): Filled {
  const missing: string[] = [];
  const text = template.replace(/\{([A-Za-z][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
    const v = (vars as Record<string, string | undefined>)[name];
    if (v !== undefined && v !== '') return v;
    if (!missing.includes(name)) missing.push(name);
    return whole;
  });
  return { text, missing };
}
