import { detectLanguage } from '../../src/brain/language';

describe('language detection', () => {
  it.each([
    ['How do I return an item?', 'en'],
    ['Wo ist mein Paket?', 'de'],
    ['Je voudrais un remboursement', 'fr'],
    ['hola, dónde está mi pedido', 'es'],
    ['Waar blijft mijn bestelling?', 'nl'],
    ['Il mio ordine non è arrivato', 'it'],
    ['Onde está a minha encomenda?', 'pt'],
  ])('"%s" is %s', (text, code) => {
    expect(detectLanguage(text)).toBe(code);
  });

  it('keeps the conversation language when a message is too short to tell', () => {
    expect(detectLanguage('ok', { fallback: 'de' })).toBe('de');
    expect(detectLanguage('#4711', { fallback: 'fr' })).toBe('fr');
    expect(detectLanguage('hi')).toBeUndefined();
  });
});
