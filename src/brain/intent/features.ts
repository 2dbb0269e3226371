/**
 * Sparse text features for the embedded intent model. Two blocks, each TF-IDF weighted (sublinear TF), L2-normalised
 * and scaled by its weight, then the whole vector L2-normalised:
 *   - words: unigrams and bigrams of the normalised tokens (contractions expanded, British spellings folded,
 *     numbers and currency symbols as class tokens);
 *   - characters: 2–5-grams inside each padded word (`<card>` → `<c`, `<ca`, `car`, …), robust to typos and
 *     inflections.
 * The vocabulary is learned from the training texts (features in fewer than `minDf` texts are dropped), so there
 * are no hash collisions and unseen features cost nothing at prediction time.
 */
export interface SparseVector {
  indices: Uint32Array;
  values: Float32Array;
}

export interface FeatureOptions {
  /** Longest word n-gram (1 = unigrams only). */
  wordNgrams: number;
  /** Character n-gram lengths inside padded words; `charMax < charMin` disables the block. */
  charMin: number;
  charMax: number;
  /** Relative weight of the character block against the word block (each is L2-normalised first). */
  charWeight: number;
  /** Features present in fewer training texts than this are dropped. */
  minDf: number;
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = { wordNgrams: 2, charMin: 2, charMax: 5, charWeight: 1, minDf: 2 };

const CONTRACTIONS: Array<[RegExp, string]> = [
  [/\bcan'?t\b/g, 'can not'],
  [/\bwon'?t\b/g, 'will not'],
  [/\bain'?t\b/g, 'is not'],
  [/\b(do|does|did|is|are|was|were|has|have|had|could|should|would|must|need)n'?t\b/g, '$1 not'],
  [/\bi'?m\b/g, 'i am'],
  [/\b(i|you|we|they|could|should|would|might|must)'ve\b/g, '$1 have'],
  [/\bive\b/g, 'i have'],
  [/\b(you|we|they)'re\b/g, '$1 are'],
  [/\b(i|you|he|she|we|they|it|that|there)'ll\b/g, '$1 will'],
  [/\b(i|you|he|she|we|they)'d\b/g, '$1 would'],
  [/\b(it|what|that|there|where|how|who|he|she|here|when|why)'s\b/g, '$1 is'],
  [/\bwhats\b/g, 'what is'],
  [/'s\b/g, ''],
];

/** British → American spellings common in customer-service text (both occur in the public intent data sets). */
const SPELLINGS: Record<string, string> = {
  cancelled: 'canceled',
  cancelling: 'canceling',
  cancellation: 'cancelation',
  travelling: 'traveling',
  travelled: 'traveled',
  favourite: 'favorite',
  colour: 'color',
  centre: 'center',
  behaviour: 'behavior',
  labour: 'labor',
  neighbour: 'neighbor',
  licence: 'license',
  cheque: 'check',
  cheques: 'checks',
  programme: 'program',
  jewellery: 'jewelry',
  catalogue: 'catalog',
  enrol: 'enroll',
  fulfil: 'fulfill',
  defence: 'defense',
  mum: 'mom',
};
const BRITISH_ISE = /^(authori|recogni|reali|organi|apologi|categori|customi|finali|memori|personali|priori|summari|utili|verbali)s(e|es|ed|ing|ation|ations)$/;

/** Lower-cases, strips accents, expands contractions and folds spellings; returns the word tokens. */
export function tokenize(text: string): string[] {
  let t = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u2018\u2019\u02bc`´]/g, "'");
  for (const [pattern, replacement] of CONTRACTIONS) t = t.replace(pattern, replacement);
  const tokens = t.match(/[\p{L}]+|\p{N}+(?:[.,]\p{N}+)*|[$£€¥]/gu) ?? [];
  return tokens.map((w) => {
    if (/^\p{N}/u.test(w)) return '0';
    if (w === '$' || w === '£' || w === '€' || w === '¥') return '$';
    const us = SPELLINGS[w];
    if (us) return us;
    return BRITISH_ISE.test(w) ? w.replace(BRITISH_ISE, (_m, stem: string, end: string) => `${stem}z${end}`) : w;
  });
}

/** Feature strings of one text: words and word n-grams prefixed `w:`, character n-grams prefixed `c:`. */
export function featureStrings(text: string, options: FeatureOptions): { words: string[]; chars: string[] } {
  const tokens = tokenize(text);
  const words: string[] = [];
  const chars: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    let gram = tokens[i]!;
    words.push(gram);
    for (let n = 2; n <= options.wordNgrams && i + n <= tokens.length; n++) {
      gram += ` ${tokens[i + n - 1]}`;
      words.push(gram);
    }
    const padded = `<${tokens[i]}>`;
    for (let n = options.charMin; n <= options.charMax; n++) {
      for (let j = 0; j + n <= padded.length; j++) chars.push(padded.slice(j, j + n));
    }
  }
  return { words, chars };
}

export class TfidfVectorizer {
  /** Word features map to columns [0, wordColumns), character features to [wordColumns, dimension). */
  private readonly words = new Map<string, number>();
  private readonly chars = new Map<string, number>();
  private idf = new Float32Array(0);
  private wordColumns = 0;

  constructor(readonly options: FeatureOptions = DEFAULT_FEATURE_OPTIONS) {}

  get dimension(): number {
    return this.words.size + this.chars.size;
  }

  /** Learns the vocabulary and IDF (smoothed, as in scikit-learn) from the training texts. */
  fit(texts: string[]): void {
    const wordDf = new Map<string, number>();
    const charDf = new Map<string, number>();
    for (const text of texts) {
      const { words, chars } = featureStrings(text, this.options);
      for (const f of new Set(words)) wordDf.set(f, (wordDf.get(f) ?? 0) + 1);
      for (const f of new Set(chars)) charDf.set(f, (charDf.get(f) ?? 0) + 1);
    }
    const idf: number[] = [];
    const n = texts.length;
    const add = (df: Map<string, number>, into: Map<string, number>, offset: number) => {
      for (const [f, count] of [...df].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
        if (count < this.options.minDf) continue;
        into.set(f, offset + into.size);
        idf.push(Math.log((1 + n) / (1 + count)) + 1);
      }
    };
    this.words.clear();
    this.chars.clear();
    add(wordDf, this.words, 0);
    this.wordColumns = this.words.size;
    add(charDf, this.chars, this.wordColumns);
    this.idf = Float32Array.from(idf);
  }

  transform(text: string): SparseVector {
    const { words, chars } = featureStrings(text, this.options);
    const counts = new Map<number, number>();
    for (const f of words) {
      const column = this.words.get(f);
      if (column !== undefined) counts.set(column, (counts.get(column) ?? 0) + 1);
    }
    for (const f of chars) {
      const column = this.chars.get(f);
      if (column !== undefined) counts.set(column, (counts.get(column) ?? 0) + 1);
    }
    const indices = new Uint32Array(counts.size);
    const values = new Float32Array(counts.size);
    let wordNorm = 0;
    let charNorm = 0;
    let i = 0;
    for (const [column, count] of counts) {
      const weight = (count === 1 ? 1 : 1 + Math.log(count)) * this.idf[column]!;
      indices[i] = column;
      values[i] = weight;
      if (column < this.wordColumns) wordNorm += weight * weight;
      else charNorm += weight * weight;
      i += 1;
    }
    const wordScale = wordNorm > 0 ? 1 / Math.sqrt(wordNorm) : 0;
    const charScale = charNorm > 0 ? this.options.charWeight / Math.sqrt(charNorm) : 0;
    let norm = 0;
    for (let j = 0; j < indices.length; j++) {
      values[j] *= indices[j]! < this.wordColumns ? wordScale : charScale;
      norm += values[j]! * values[j]!;
    }
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < values.length; j++) values[j] *= scale;
    return { indices, values };
  }
}
