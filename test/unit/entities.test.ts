import { extractEntities, luhnValid, redactPii } from '../../src/brain/entities';

describe('entities and PII', () => {
  it('redacts emails, phones, Luhn-valid cards and valid IBANs before text leaves', () => {
    const text =
      'I am ada@example.com, call +49 30 1234567. Card 4111 1111 1111 1111 was charged twice; refund to DE89 3704 0044 0532 0130 00 please.';
    const { text: safe, redacted } = redactPii(text);
    expect(safe).toBe('I am [EMAIL], call [PHONE]. Card [CARD] was charged twice; refund to [IBAN] please.');
    expect(redacted.map((e) => [e.kind, e.value])).toEqual([
      ['email', 'ada@example.com'],
      ['phone', '+49301234567'],
      ['card', '4111111111111111'],
      ['iban', 'DE89370400440532013000'],
    ]);
  });

  it.each([
    ['ring 030 98765432 after 5', '+493098765432'],
    ['my number is 0049 89 1234567', '+49891234567'],
    ['US line: +1 415 555 2671', '+14155552671'],
  ])('finds the phone in "%s"', (text, e164) => {
    expect(extractEntities(text).filter((e) => e.kind === 'phone').map((e) => e.value)).toEqual([e164]);
  });

  it('leaves look-alikes alone: a failing Luhn sum, a bad IBAN checksum, an order number', () => {
    const text = 'Order NW-EU-1048213, reference 4111 1111 1111 1112, IBAN DE00 3704 0044 0532 0130 00';
    expect(redactPii(text).text).toBe(text);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('79927398713')).toBe(false);
    expect(luhnValid('4012888888881881')).toBe(true);
  });

  it('extracts what routing needs: order numbers, amounts and dates', () => {
    const entities = extractEntities('My order NW-EU-1048213 for €129.95 placed on 2026-11-02 (order #554433) still shows 45 euros on 3.11.2026');
    expect(entities.map((e) => [e.kind, e.value])).toEqual([
      ['order', 'NW-EU-1048213'],
      ['amount', 'EUR 129.95'],
      ['date', '2026-11-02'],
      ['order', '554433'],
      ['amount', 'EUR 45'],
      ['date', '2026-11-03'],
    ]);
  });
});
