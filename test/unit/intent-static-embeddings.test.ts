import { IntentClassifier, type IntentExample } from '../../src/brain/intent/classifier';
import { DEFAULT_FEATURE_OPTIONS, TfidfVectorizer } from '../../src/brain/intent/features';
import { ONNX_FLOAT, ONNX_UINT8, readOnnxInitializers, tensorValues } from '../../src/brain/intent/onnx-initializers';
import { loadStaticEmbeddings } from '../../src/brain/intent/static-embeddings';
import { cachedModelFiles } from '../../src/brain/embeddings/model-files';
import { onnx } from 'onnx-proto';

describe('readOnnxInitializers', () => {
  // A small ONNX model written with the same schema: a node, three initializers in the ways real models store them.
  const floats = new Float32Array([1.5, -2]);
  const model = onnx.ModelProto.encode({
    irVersion: 8,
    graph: {
      name: 'g',
      node: [{ opType: 'Gather', input: ['embeddings.word_embeddings.weight_quantized', 'ids'], output: ['x'] }],
      initializer: [
        { name: 'embeddings.word_embeddings.weight_quantized', dims: [2, 3], dataType: ONNX_UINT8, rawData: Uint8Array.from([0, 1, 2, 128, 200, 255]) },
        { name: 'zero_point', dataType: ONNX_UINT8, int32Data: [128] },
        { name: 'scale', dims: [2], dataType: ONNX_FLOAT, rawData: new Uint8Array(floats.buffer) },
      ],
    },
  }).finish();

  it('reads names, dims, types and data of the graph initializers', () => {
    const tensors = readOnnxInitializers(model);
    expect(tensors.map((t) => t.name)).toEqual(['embeddings.word_embeddings.weight_quantized', 'zero_point', 'scale']);
    expect(tensors[0]!.dims).toEqual([2, 3]);
    expect(tensors[0]!.dataType).toBe(ONNX_UINT8);
    expect(Array.from(tensors[0]!.raw!)).toEqual([0, 1, 2, 128, 200, 255]);
    expect(Array.from(tensorValues(tensors[1]!))).toEqual([128]);
    expect(tensors[2]!.dims).toEqual([2]);
    expect(Array.from(tensorValues(tensors[2]!))).toEqual([1.5, -2]);
  });

  it('filters by name', () => {
    expect(readOnnxInitializers(model, (name) => name === 'scale').map((t) => t.name)).toEqual(['scale']);
  });
});

const examples: IntentExample[] = Object.entries({
  refund: ['i want my money back', 'refund my order please', 'how do i get a refund', 'can you refund me', 'money back for this item'],
  tracking: ['where is my parcel', 'track my package', 'my delivery has not arrived', 'tracking number please', 'where is my order now'],
  password: ['i forgot my password', 'reset my password', 'cannot log in to my account', 'password reset link', 'locked out of my account'],
}).flatMap(([label, texts]) => texts.map((text) => ({ text, label })));

describe('static-embedding feature block', () => {
  it('is off with embeddingWeight 0 (the lexical features alone)', () => {
    const vectorizer = new TfidfVectorizer({ ...DEFAULT_FEATURE_OPTIONS, embeddingWeight: 0 });
    vectorizer.fit(examples.map((e) => e.text));
    expect(vectorizer.usesEmbeddings).toBe(false);
    const x = vectorizer.transform('refund please');
    expect(vectorizer.withEmbedding('refund please', x)).toBe(x);
  });

  // Requires the prepared model (npm install / scripts/prepare-models.sh), like every test of the embedded model.
  it('appends a unit-length block from the sentence model and stays deterministic', () => {
    expect(cachedModelFiles()).toBeDefined();
    const embeddings = loadStaticEmbeddings()!;
    expect(embeddings.dimension).toBe(384);
    expect(embeddings.vocabularySize).toBe(30522);
    const vectorizer = new TfidfVectorizer(DEFAULT_FEATURE_OPTIONS);
    vectorizer.fit(examples.map((e) => e.text));
    expect(vectorizer.usesEmbeddings).toBe(true);
    const lexical = vectorizer.transform('refund my parcel');
    const x = vectorizer.withEmbedding('refund my parcel', lexical);
    expect(x.indices.length).toBe(lexical.indices.length + 384);
    expect(Array.from(x.values).reduce((s, v) => s + v * v, 0)).toBeCloseTo(1, 4);
    // Text with no known n-gram gets no embedding block either.
    const unknown = vectorizer.transform('qqq');
    expect(unknown.indices.length).toBe(0);
    expect(vectorizer.withEmbedding('qqq', unknown).indices.length).toBe(0);

    const a = IntentClassifier.train(examples);
    const b = IntentClassifier.train(examples);
    expect(Array.from(a.probabilities('i would like a reimbursement'))).toEqual(Array.from(b.probabilities('i would like a reimbursement')));
    expect(a.predict('please refund the money').label).toBe('refund');
  });
});
