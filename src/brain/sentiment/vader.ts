/**
 * VADER (Hutto & Gilbert 2014; lexicon MIT, JavaScript port Apache-2.0 by Comcast). The package ships no types;
 * this is the one function we use.
 */
interface VaderScores {
  neg: number;
  neu: number;
  pos: number;
  /** Normalised sum of the word valences, −1 … 1. */
  compound: number;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const vader = require('vader-sentiment') as { SentimentIntensityAnalyzer: { polarity_scores(text: string): VaderScores } };

export function vaderCompound(text: string): number {
  return vader.SentimentIntensityAnalyzer.polarity_scores(text).compound;
}
