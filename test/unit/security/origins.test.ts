import { describe, expect, it } from 'vitest';
import { originAllowed, urlAllowed, usableOrigins } from '../../../lib/policy/origins';

describe('allowedOrigins policy', () => {
  const allowed = ['https://*.desk.example.com/*', 'http://127.0.0.1/*'];

  it('lets everything through when the policy sets no list', () => {
    expect(originAllowed('https://any.example/*', undefined)).toBe(true);
  });

  it('keeps granted origins inside the allowed patterns and drops the rest', () => {
    expect(
      usableOrigins(
        [
          'https://acme.desk.example.com/*',
          'https://desk.example.com/*',
          'https://*.acme.desk.example.com/*',
          'http://acme.desk.example.com/*',
          'https://evil.example.com/*',
          'https://desk.example.com.evil.net/*',
          'http://127.0.0.1/*',
          '*://*/*',
        ],
        allowed,
      ),
    ).toEqual([
      'https://acme.desk.example.com/*',
      'https://desk.example.com/*',
      'https://*.acme.desk.example.com/*',
      'http://127.0.0.1/*',
    ]);
  });

  it('refuses a broader grant than any allowed pattern, and an empty list allows nothing', () => {
    expect(originAllowed('https://*/*', allowed)).toBe(false);
    expect(originAllowed('*://acme.desk.example.com/*', ['https://acme.desk.example.com/*'])).toBe(false);
    expect(originAllowed('https://acme.desk.example.com/*', [])).toBe(false);
    expect(originAllowed('https://acme.desk.example.com/*', ['not a pattern'])).toBe(false);
  });

  it('checks page URLs, ignoring ports as Chrome match patterns do', () => {
    expect(urlAllowed('http://127.0.0.1:5173/desk/?c=1', allowed)).toBe(true);
    expect(urlAllowed('https://x.desk.example.com/inbox', allowed)).toBe(true);
    expect(urlAllowed('https://example.org/', allowed)).toBe(false);
    expect(urlAllowed('not a url', allowed)).toBe(false);
  });
});
