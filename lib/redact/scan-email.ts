import type { Candidate } from './candidate';

const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;

function isLocal(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2e ||
    c === 0x5f ||
    c === 0x25 ||
    c === 0x2b ||
    c === 0x2d
  );
}
function isDomain(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d ||
    c === 0x2e
  );
}

/**
 * Email addresses around each "@" (or full-width "＠"). Expansion is bounded on both sides and never
 * crosses another "@", so the whole scan is linear.
 */
export function scanEmails(text: string, out: Candidate[]): void {
  let from = 0;
  // Next position of each kind of "@", refreshed only once passed, so a text full of "@" stays linear.
  let a1 = text.indexOf('@');
  let a2 = text.indexOf('＠');
  for (;;) {
    if (a1 >= 0 && a1 < from) a1 = text.indexOf('@', from);
    if (a2 >= 0 && a2 < from) a2 = text.indexOf('＠', from);
    const at = a1 < 0 ? a2 : a2 < 0 ? a1 : Math.min(a1, a2);
    if (at < 0) return;
    let s = at;
    while (s > 0 && at - s < MAX_LOCAL && isLocal(text.charCodeAt(s - 1))) s--;
    while (s < at && text.charCodeAt(s) === 0x2e) s++;
    let e = at + 1;
    while (e < text.length && e - at <= MAX_DOMAIN && isDomain(text.charCodeAt(e))) e++;
    while (e > at + 1 && (text.charCodeAt(e - 1) === 0x2e || text.charCodeAt(e - 1) === 0x2d)) e--;
    const domain = text.slice(at + 1, e);
    const tooLong = s > 0 && isLocal(text.charCodeAt(s - 1));
    if (
      s < at &&
      !tooLong &&
      /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,24}$/.test(domain)
    ) {
      out.push({ start: s, end: e, type: 'EMAIL', kind: 'email' });
      from = e;
    } else {
      from = at + 1;
    }
  }
}
