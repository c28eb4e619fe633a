import { describe, expect, it } from 'vitest';
import {
  cnIdCheckChar,
  cnIdValid,
  hkIdCheckChar,
  ibanValid,
  luhnValid,
  ssnValid,
  twIdValid,
} from '../../../lib/redact/checksums';

// Known-answer values from the standards and issuers' published test numbers, so the generator that
// builds the test set on top of these functions rests on independently checked ground.
describe('check digits', () => {
  it('Luhn accepts issuer test numbers and rejects a changed digit', () => {
    for (const n of [
      '4111111111111111',
      '5555555555554444',
      '378282246310005',
      '6011111111111117',
      '3530111333300000',
    ]) {
      expect(luhnValid(n)).toBe(true);
    }
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('')).toBe(false);
  });
  it('mainland resident ID (GB 11643 example 11010519491231002X)', () => {
    expect(cnIdCheckChar('11010519491231002')).toBe('X');
    expect(cnIdValid('11010519491231002X')).toBe(true);
    expect(cnIdValid('110105194912310021')).toBe(false);
    expect(cnIdValid('11010519491331002X')).toBe(false); // month 13
    expect(cnIdValid('99010519491231002X')).toBe(false); // no region 99
  });
  it('Hong Kong ID (A123456(3))', () => {
    expect(hkIdCheckChar('A123456')).toBe('3');
    expect(hkIdCheckChar('AB987654')).toBe('3');
  });
  it('Taiwan ID (A123456789)', () => {
    expect(twIdValid('A123456789')).toBe(true);
    expect(twIdValid('A123456788')).toBe(false);
  });
  it('IBAN mod-97 with country lengths', () => {
    expect(ibanValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('DE89370400440532013001')).toBe(false);
    expect(ibanValid('GB82WEST1234569876543')).toBe(false); // one short
  });
  it('SSN validity rules', () => {
    expect(ssnValid('123456789')).toBe(true);
    for (const bad of ['000123456', '666123456', '900123456', '123006789', '123450000'])
      expect(ssnValid(bad)).toBe(false);
  });
});
