/**
 * Enterprise policy `allowedOrigins` (issue 12): the match patterns of the consoles Sotto may
 * attach to. A granted host permission outside them is not used. Without the policy, any origin
 * the user granted is allowed. Chrome match patterns have no port, so ports are ignored.
 */
interface Pattern {
  scheme: string;
  host: string;
}

function parse(p: string): Pattern | undefined {
  if (p === '<all_urls>') return { scheme: '*', host: '*' };
  const m = /^(\*|https?):\/\/([^/]+)(?:\/.*)?$/.exec(p.trim());
  if (!m) return undefined;
  return { scheme: m[1]!, host: m[2]!.toLowerCase().replace(/:\d+$/, '') };
}

function hostCovered(host: string, allowed: string): boolean {
  if (allowed === '*') return true;
  if (allowed.startsWith('*.')) {
    const base = allowed.slice(2);
    // `*.example.com` covers example.com, any subdomain, and a narrower wildcard under it.
    const h = host.startsWith('*.') ? host.slice(2) : host;
    return h === base || h.endsWith(`.${base}`);
  }
  return host === allowed;
}

/** Whether a granted origin pattern lies inside one of the allowed patterns. */
export function originAllowed(granted: string, allowed: readonly string[] | undefined): boolean {
  if (!allowed) return true;
  const g = parse(granted);
  if (!g) return false;
  return allowed.some((a) => {
    const p = parse(a);
    if (!p) return false;
    const schemeOk = p.scheme === '*' || p.scheme === g.scheme;
    return schemeOk && hostCovered(g.host, p.host);
  });
}

/** The granted origins the policy lets Sotto use. */
export function usableOrigins(granted: readonly string[], allowed: readonly string[] | undefined): string[] {
  return granted.filter((o) => originAllowed(o, allowed));
}

/** Whether a page URL may be attached to under the policy. */
export function urlAllowed(url: string, allowed: readonly string[] | undefined): boolean {
  if (!allowed) return true;
  try {
    const u = new URL(url);
    return originAllowed(`${u.protocol}//${u.host}/*`, allowed);
  } catch {
    return false;
  }
}
