import { IntentClassifier, type IntentExample } from '../../src/brain/intent/classifier';
import { TfidfVectorizer, featureStrings, tokenize } from '../../src/brain/intent/features';

const examples: IntentExample[] = Object.entries({
  refund: ['i want my money back', 'refund my order please', 'how do i get a refund', 'can you refund me', 'money back for this item'],
  tracking: ['where is my parcel', 'track my package', 'my delivery has not arrived', 'tracking number please', 'where is my order now'],
  password: ['i forgot my password', 'reset my password', 'cannot log in to my account', 'password reset link', 'locked out of my account'],
}).flatMap(([label, texts]) => texts.map((text) => ({ text, label })));

describe('intent features', () => {
  it('normalises contractions, British spellings, numbers and currency', () => {
    expect(tokenize("I can't find my Card, it's been 10 days!")).toEqual(['i', 'can', 'not', 'find', 'my', 'card', 'it', 'is', 'been', '0', 'days']);
    expect(tokenize('why was my payment cancelled, I didnt authorise it')).toEqual(['why', 'was', 'my', 'payment', 'canceled', 'i', 'did', 'not', 'authorize', 'it']);
    expect(tokenize('Charged £12.50 twice — café')).toEqual(['charged', '$', '0', 'twice', 'cafe']);
  });

  it('extracts word 1–2-grams and character n-grams inside padded words', () => {
    const { words, chars } = featureStrings('top up', { wordNgrams: 2, charMin: 2, charMax: 3, charWeight: 1, minDf: 1 });
    expect(words).toEqual(['top', 'top up', 'up']);
    expect(chars).toEqual(['<t', 'to', 'op', 'p>', '<to', 'top', 'op>', '<u', 'up', 'p>', '<up', 'up>']);
  });

  it('keeps only features seen in minDf texts and L2-normalises the vector', () => {
    const vectorizer = new TfidfVectorizer({ wordNgrams: 1, charMin: 3, charMax: 3, charWeight: 1, minDf: 2 });
    vectorizer.fit(['card lost', 'card stolen', 'refund please']);
    expect(vectorizer.dimension).toBeGreaterThan(0);
    const x = vectorizer.transform('my card');
    expect(x.indices.length).toBeGreaterThan(0);
    expect(Array.from(x.values).reduce((s, v) => s + v * v, 0)).toBeCloseTo(1, 5);
    expect(vectorizer.transform('zebra xylophone').indices.length).toBe(0);
  });
});

describe('IntentClassifier', () => {
  const model = IntentClassifier.train(examples);

  it('predicts the intent of unseen paraphrases, typos and inflections', () => {
    expect(model.predict('please refund the money').label).toBe('refund');
    expect(model.predict('where is my parcell?').label).toBe('tracking');
    expect(model.predict("I can't remember my password").label).toBe('password');
    const p = model.predict('tracking my packages');
    expect(p.label).toBe('tracking');
    expect(p.second?.label).not.toBe('tracking');
    expect(p.confidence).toBeGreaterThan(p.second!.confidence);
  });

  it('returns a probability distribution over the labels', () => {
    const probabilities = model.probabilities('refund my parcel');
    expect(probabilities).toHaveLength(model.labels.length);
    expect(Array.from(probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('is unsure about unrelated text, and has no opinion on text that shares nothing with the training data', () => {
    expect(model.predict('xylophone zebra quantum').confidence).toBeLessThan(model.predict('refund my order').confidence);
    expect(Array.from(model.probabilities('zzz xxx 123'))).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it('is deterministic for a given seed, with either model alone or both', () => {
    const again = IntentClassifier.train(examples);
    expect(Array.from(again.probabilities('my order never came'))).toEqual(Array.from(model.probabilities('my order never came')));
    for (const kind of ['logreg', 'svm'] as const) {
      expect(IntentClassifier.train(examples, { model: kind }).predict('reset password').label).toBe('password');
    }
  });

  it('refuses to train on nothing', () => {
    expect(() => IntentClassifier.train([])).toThrow(/no training examples/);
  });
});
