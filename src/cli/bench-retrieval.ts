import type { KnowledgeChunk } from '../../knowledge/chunk';
import type { Embedder } from '../../knowledge/embedder';
import { Bm25Index, embeddingTexts, HybridRetriever } from '../../knowledge/hybrid';
import { EmbeddedEmbedder, loadEmbeddedEmbedder } from '../brain/embeddings';
import { mulberry32 } from '../random';
import { percentile } from './percentile';

/**
 * `switchboard bench-retrieval`: query latency of hybrid retrieval over a large synthetic help centre.
 *
 * Chunks are generated from customer-service templates (topics × products × countries × carriers, 3–6 sentences
 * each), so BM25 sees a realistic vocabulary. Their vectors are precomputed, as a store would hold them: embedding the
 * ~80,000 views of 10,000 chunks for real takes ~10 minutes on 2 cores, so each view's vector is the real embedding of
 * its topic's template sentence plus seeded noise (the similarity distribution of real data; timing does not depend
 * on the values). Queries are real: each is embedded by the model (timed on its own), then ranked (timed on its own).
 */
export interface BenchRetrievalOptions {
  chunks?: string;
  queries?: string;
  threads?: string;
}

interface Topic {
  name: string;
  questions: string[];
  sentences: string[];
  queries: string[];
}

const PRODUCTS = ['tent', 'sleeping bag', 'rain jacket', 'hiking boots', 'backpack', 'headlamp', 'stove', 'trekking poles', 'fleece', 'kayak paddle'];
const COUNTRIES = ['Germany', 'France', 'the Netherlands', 'Spain', 'Italy', 'Canada', 'the United States', 'Norway', 'Switzerland', 'Austria'];
const CARRIERS = ['DHL', 'UPS', 'DPD', 'PostNL', 'FedEx', 'GLS'];
const DAYS = ['2', '3', '5', '7', '10', '14', '30'];

const TOPICS: Topic[] = [
  {
    name: 'Shipping',
    questions: ['How long does delivery to {country} take?', 'Where is my {product}?', 'Which carrier delivers to {country}?'],
    sentences: [
      'Orders to {country} ship with {carrier} and usually arrive within {days} working days.',
      'You receive a tracking link by email as soon as your {product} leaves our warehouse.',
      'If the tracking has not moved for {days} days, contact us and we open an investigation with {carrier}.',
      'Delivery is free above 50 euros; below that it costs 4.95.',
      'Parcels that cannot be delivered are held at the nearest {carrier} pickup point for {days} days.',
    ],
    queries: ['my {product} still hasnt arrived', 'how many days to ship to {country}', 'tracking not updating for days', 'does {carrier} deliver on weekends'],
  },
  {
    name: 'Returns',
    questions: ['How do I return a {product}?', 'When do I get my refund?', 'Can I exchange my {product}?'],
    sentences: [
      'You can return any {product} within {days} days of delivery if it is unused.',
      'Print the prepaid {carrier} label from your account and drop the parcel at any {carrier} point.',
      'Refunds go back to your original payment method within {days} days after we receive the return.',
      'Exchanges for another size or colour are free; we ship the new {product} once the return is scanned.',
      'Returns from {country} are free of charge.',
    ],
    queries: ['send back a {product} I dont like', 'when will I see my money again', 'swap my {product} for a bigger size', 'is returning free from {country}'],
  },
  {
    name: 'Payments',
    questions: ['Which payment methods do you accept?', 'Why was my card declined?', 'When will I be charged?'],
    sentences: [
      'We accept Visa, Mastercard, American Express, PayPal and Klarna in {country}.',
      'Your card is charged when your {product} ships, not when you place the order.',
      'A declined card is usually a bank security check; try again or use PayPal.',
      'Pending amounts on your statement disappear within {days} days.',
      'Invoices with VAT are available in your account under Orders.',
    ],
    queries: ['can I pay with paypal', 'my card got refused twice', 'charged two times for one order', 'need a VAT invoice for my company'],
  },
  {
    name: 'Warranty',
    questions: ['What does the warranty cover on a {product}?', 'How do I make a warranty claim?', 'Do you repair a {product}?'],
    sentences: [
      'Every {product} has a two-year warranty against manufacturing defects.',
      'Send us photos of the defect and your order number to start a claim.',
      'Repairs outside warranty are quoted before we start, and take about {days} days.',
      'Normal wear and damage from misuse are not covered.',
      'Third-party brands are covered by their own manufacturer warranty.',
    ],
    queries: ['zip on my {product} broke after a month', 'is my {product} still under guarantee', 'can you fix a torn {product}', 'warranty claim without receipt'],
  },
  {
    name: 'Account',
    questions: ['How do I reset my password?', 'How do I delete my account?', 'How do I change my email address?'],
    sentences: [
      'Use Forgot password on the sign-in page; the reset link is valid for 60 minutes.',
      'After 5 failed sign-ins your account is locked for 15 minutes.',
      'You can delete your account and personal data under Settings, Privacy.',
      'Change your email address under Settings; we send a confirmation to the new address.',
      'One login works for both the EU and the US store.',
    ],
    queries: ['locked out of my account', 'forgot my login', 'erase all my personal data', 'update my email on my profile'],
  },
  {
    name: 'Orders',
    questions: ['Can I cancel my order?', 'Can I change my order?', 'What does order status processing mean?'],
    sentences: [
      'Orders can be cancelled until they are packed, usually within {days} hours.',
      'To add a {product} to an order already placed, contact us before it ships.',
      'Processing means we have your payment and are picking your items.',
      'Order confirmations come from orders@northwind.example within minutes.',
      'Bulk orders of more than {days} items get a dedicated account manager.',
    ],
    queries: ['cancel my order I picked the wrong {product}', 'never got an order confirmation', 'what does processing mean', 'add a {product} to my order'],
  },
];

function fill(template: string, rand: () => number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  return template
    .replace(/\{product\}/g, () => pick(PRODUCTS))
    .replace(/\{country\}/g, () => pick(COUNTRIES))
    .replace(/\{carrier\}/g, () => pick(CARRIERS))
    .replace(/\{days\}/g, () => pick(DAYS));
}

export function syntheticChunks(n: number, seed = 1): Array<KnowledgeChunk & { topic: number }> {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const topic = i % TOPICS.length;
    const t = TOPICS[topic]!;
    const article = `${t.name} guide ${Math.floor(i / TOPICS.length) + 1}`;
    const heading = fill(t.questions[Math.floor(rand() * t.questions.length)]!, rand);
    const count = 3 + Math.floor(rand() * 4);
    const order = [...t.sentences.keys()].sort(() => rand() - 0.5).slice(0, count);
    const text = order.map((s) => fill(t.sentences[s]!, rand)).join(' ');
    return { id: `kb-${i}`, docId: `kb-${Math.floor(i / 5)}`, docTitle: article, heading, title: `${article} › ${heading}`, text, topic };
  });
}

function syntheticQueries(n: number, seed = 2): string[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const t = TOPICS[i % TOPICS.length]!;
    // A suffix keeps every query unique, so the embedder's text cache never answers.
    return `${fill(t.queries[Math.floor(rand() * t.queries.length)]!, rand)} (order NW-${100000 + i})`;
  });
}

/** Seeded Gaussian noise around real anchor vectors, unit length. */
function noisyVector(anchor: Float32Array, rand: () => number, scale: number): Float32Array {
  const v = new Float32Array(anchor.length);
  let norm = 0;
  for (let d = 0; d < v.length; d++) {
    const gauss = Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
    v[d] = anchor[d]! + (scale / Math.sqrt(v.length)) * gauss;
    norm += v[d]! * v[d]!;
  }
  norm = Math.sqrt(norm);
  for (let d = 0; d < v.length; d++) v[d]! /= norm;
  return v;
}

function stats(samples: number[]): { p50: number; p99: number; mean: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return {
    p50: r(percentile(sorted, 0.5)),
    p99: r(percentile(sorted, 0.99)),
    mean: r(samples.reduce((s, x) => s + x, 0) / Math.max(1, samples.length)),
    max: r(sorted[sorted.length - 1] ?? NaN),
  };
}

export async function benchRetrievalCommand(opts: BenchRetrievalOptions): Promise<void> {
  const nChunks = Number(opts.chunks ?? 10_000);
  const nQueries = Number(opts.queries ?? 500);
  const threads = Number(opts.threads ?? 1);
  for (const [name, value] of [['--chunks', nChunks], ['--queries', nQueries], ['--threads', threads]] as const) {
    if (!(Number.isInteger(value) && value > 0)) {
      process.stderr.write(`error: ${name} must be a positive integer\n`);
      process.exit(2);
    }
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const loadStarted = performance.now();
  const embedder = await loadEmbeddedEmbedder({ threads, log });
  const modelLoadMs = performance.now() - loadStarted;
  if (!embedder) {
    process.stderr.write('error: bench-retrieval needs the embedded model (run scripts/prepare-models.sh)\n');
    process.exit(2);
  }

  const chunks = syntheticChunks(nChunks);
  // Anchors: the real embedding of every template sentence and question, filled once.
  const anchorRand = mulberry32(3);
  const anchorTexts = TOPICS.map((t) => [...t.questions, ...t.sentences].map((s) => fill(s, anchorRand)));
  const anchorVectors = await Promise.all(anchorTexts.map((texts) => embedder.embed(texts)));
  const noise = mulberry32(4);
  const vectorsStarted = performance.now();
  const vectors = chunks.map((c) => {
    const views = embeddingTexts(c).length;
    const topicAnchors = anchorVectors[c.topic]!;
    const flat = new Float32Array(views * embedder.dimensions);
    for (let r = 0; r < views; r++) flat.set(noisyVector(topicAnchors[Math.floor(noise() * topicAnchors.length)]!, noise, 0.8), r * embedder.dimensions);
    return flat;
  });
  const vectorsMs = performance.now() - vectorsStarted;

  const buildStarted = performance.now();
  const counting: Embedder = {
    id: embedder.id,
    dimensions: embedder.dimensions,
    embed: (texts) => {
      throw new Error(`bench: ${texts.length} views were not precomputed`);
    },
  };
  const retriever = await HybridRetriever.create(chunks, { embedder: counting, vectors, vectorsEmbedderId: embedder.id });
  const buildMs = performance.now() - buildStarted;
  const bm25 = new Bm25Index(chunks);

  const queries = syntheticQueries(nQueries + 20);
  const embedMs: number[] = [];
  const rankMs: number[] = [];
  const totalMs: number[] = [];
  const bm25Ms: number[] = [];
  const passages = chunks.length;
  for (let i = 0; i < queries.length; i++) {
    const query = queries[i]!;
    const t0 = performance.now();
    const [vector] = await embedder.embed([query]);
    const t1 = performance.now();
    retriever.rank(query, vector!, 5);
    const t2 = performance.now();
    // BM25 alone (a part of rank), for diagnostics: the rest is the vector scan and the multi-view rescoring.
    bm25.score(query);
    const t3 = performance.now();
    if (i < 20) continue; // warm-up: JIT, caches
    embedMs.push(t1 - t0);
    rankMs.push(t2 - t1);
    totalMs.push(t2 - t0);
    bm25Ms.push(t3 - t2);
  }
  const views = vectors.reduce((n, v) => n + v.length / embedder.dimensions, 0);
  await (embedder as EmbeddedEmbedder).close?.();
  const round = (x: number) => Math.round(x * 10) / 10;
  process.stdout.write(
    `${JSON.stringify({
      chunks: passages,
      vectors: views,
      dimensions: embedder.dimensions,
      embedder: embedder.id,
      threads,
      queries: nQueries,
      modelLoadMs: round(modelLoadMs),
      vectorsMs: round(vectorsMs),
      buildMs: round(buildMs),
      embedMs: stats(embedMs),
      rankMs: stats(rankMs),
      bm25Ms: stats(bm25Ms),
      totalMs: stats(totalMs),
    })}\n`,
  );
}
