// The simulator's stand-in for the verifier refuses what the real one refuses under the widget's settings, and answers the identity it would.
import { describe, expect, it } from 'vitest';
import { verifiedLogin } from '../../src/studio/simulate/tokens.ts';
import { widgetInfo } from '../../src/studio/simulate/widget-info.ts';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const widget = (jwt: string) => widgetInfo(`kind: widget\nid: w\nonboarding: none\nthread: t\njwt:\n  issuer: https://shop.example.com\n${jwt}`);

describe('verifiedLogin', () => {
  it('answers the identity the verifier would: email lowercased, sub as subject, exp = iat + ttl', () => {
    const r = verifiedLogin({ email: ' Julie@Example.com ', name: 'Julie', sub: 'u-1', ttl: 300 }, NOW, widget(''));
    expect(r).toMatchObject({ ok: true, identity: { email: 'julie@example.com', subject: 'u-1', issuer: 'https://shop.example.com', issuedAt: NOW / 1000, expiresAt: NOW / 1000 + 300 } });
  });

  it("refuses a token without the identity claim the widget's settings require", () => {
    expect(verifiedLogin({ phone: '+14155550123', ttl: 300 }, NOW, widget('  identity: email\n'))).toMatchObject({ ok: false, reason: 'identity_missing' });
    expect(verifiedLogin({ sub: 'u-1', ttl: 300 }, NOW, widget(''))).toMatchObject({ ok: false, reason: 'identity_missing' });
    expect(verifiedLogin({ phone: '+14155550123', ttl: 300 }, NOW, widget('  identity: phone\n')).ok).toBe(true);
  });

  it('refuses a token without a required claim, but not for the claims every signed token has', () => {
    expect(verifiedLogin({ email: 'a@example.com', ttl: 300 }, NOW, widget('  requiredClaims: [sub]\n'))).toMatchObject({ ok: false, reason: 'claim_missing' });
    expect(verifiedLogin({ email: 'a@example.com', ttl: 300 }, NOW, widget('  requiredClaims: [iss, exp]\n')).ok).toBe(true);
  });
});
