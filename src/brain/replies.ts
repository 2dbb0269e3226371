import type { Choice } from '../../adapters/types';
import { disclosureSentence, ENGLISH, handoffSentence, phrasebook, type Phrasebook } from './phrasebook';
import { HANDOFF_ACTION } from './types';

/**
 * What the bot says in its own words, in the customer's language (src/brain/phrasebook.ts holds the sentences).
 * The knowledge base's own text is never rewritten here.
 */
export const RATE_HELPFUL = 'rate:helpful';
export const RATE_UNHELPFUL = 'rate:unhelpful';

export const HANDOFF_CHOICE: Choice = { id: HANDOFF_ACTION, title: ENGLISH.talkToPerson };
export const RATING_CHOICES: Choice[] = [
  { id: RATE_HELPFUL, title: ENGLISH.helpful },
  { id: RATE_UNHELPFUL, title: ENGLISH.notHelpful },
];

/** The English sentences, by name (kept for callers that only ever speak English). */
export const REPLIES = {
  handoff: ENGLISH.handoff,
  optOut: ENGLISH.optOut,
  optedOut: ENGLISH.optedOut,
  abstain: ENGLISH.abstain,
  upset: ENGLISH.upset,
  urgent: ENGLISH.urgent,
  policy: ENGLISH.policy,
  repeated: ENGLISH.repeated,
  thanksForRating: ENGLISH.thanksForRating,
  sorryUnhelpful: ENGLISH.sorryUnhelpful,
  alreadyQueued: ENGLISH.alreadyQueued,
} as const;

export type SentenceName = keyof typeof REPLIES;

/**
 * The bot's voice for one customer. With a phrasebook for their language, everything is said in it; in a language
 * with only a hand-over sentence (`handoffOnly`), every hand-over is that sentence alone, never English beside it.
 */
export class Voice {
  private constructor(
    readonly language: string,
    readonly book: Phrasebook,
    /** A language without a full book: hand-overs are this one sentence. */
    readonly handoffOnly?: string,
  ) {}

  static for(language: string | undefined): Voice {
    const book = phrasebook(language);
    if (book) return new Voice(language ?? 'en', book);
    const only = handoffSentence(language);
    return only ? new Voice(language!, ENGLISH, only) : new Voice('en', ENGLISH);
  }

  say(name: SentenceName): string {
    return this.book[name];
  }

  /** A hand-over sentence: in a language without a book, the one sentence there is. */
  handover(name: SentenceName): string {
    return this.handoffOnly ?? this.book[name];
  }

  /** The hand-over when the help centre cannot answer in this language. */
  foreignHandover(): string {
    return this.handoffOnly ?? this.book.handoffForeign;
  }

  get handoffChoice(): Choice {
    return { id: HANDOFF_ACTION, title: this.book.talkToPerson };
  }

  get ratingChoices(): Choice[] {
    return [
      { id: RATE_HELPFUL, title: this.book.helpful },
      { id: RATE_UNHELPFUL, title: this.book.notHelpful },
    ];
  }

  /** "Monday at 09:00 (Europe/Berlin)", or "today at …" when people are back later the same day. */
  opening(at: Date, timezone: string, now: Date): string {
    const weekday = (d: Date, locale: string) => new Intl.DateTimeFormat(locale, { timeZone: timezone, weekday: 'long' }).format(d);
    const time = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
    const sameDay = weekday(at, 'en-GB') === weekday(now, 'en-GB') && at.getTime() - now.getTime() < 24 * 3_600_000;
    return this.book.opening(sameDay ? undefined : weekday(at, this.book.locale), time, timezone);
  }

  /** Outside the team's hours: when people are back, and an offer to keep helping meanwhile. */
  afterHours(teamName: string, back: Date, timezone: string, now: Date): string {
    return this.book.afterHours(this.teamLabel(teamName), this.opening(back, timezone, now));
  }

  offTopic(topics: string[]): string {
    // Topic names are the help centre's own (English) titles: only listed in English, never inside another language.
    return this.book.offTopic(this.language === 'en' ? topics.map((t) => t.toLowerCase()) : []);
  }

  /** English sentences read a team's name as a common noun ("our billing team"); other languages quote it. */
  teamLabel(teamName: string): string {
    return this.language === 'en' ? teamName.toLowerCase() : teamName;
  }
}

/** Fewer words than this do not settle a language on their own ("Hello!" reads as Italian to the detector). */
const WORDS_TO_TRUST_LANGUAGE = 3;
/** Words it takes to switch a conversation already held in one language ("My order number is NW-1" reads as Dutch). */
const WORDS_TO_SWITCH_LANGUAGE = 5;

/**
 * The language to reply in: the detected one, unless the message is too short to tell, when the conversation's
 * language so far (or the help centre's) stands. Only words count (an order number is no evidence of a language).
 */
export function replyLanguage(text: string, detected: string | undefined, conversationLanguage: string | undefined, helpCentreLanguage = 'en'): string | undefined {
  const words = text.match(/(?<![\p{L}\p{N}])\p{L}[\p{L}']*(?![\p{L}\p{N}-])/gu)?.length ?? 0;
  const needed = conversationLanguage && detected !== conversationLanguage ? WORDS_TO_SWITCH_LANGUAGE : WORDS_TO_TRUST_LANGUAGE;
  if (words >= needed) return detected;
  return conversationLanguage ?? (detected ? helpCentreLanguage : undefined);
}

/**
 * The AI disclosure for a reply in `language`: the built-in one is said in the customer's language (never an
 * English line above a German reply); an admin's own wording is theirs and shown as written.
 */
export function disclosureFor(configured: string, language: string | undefined): string {
  if (configured !== ENGLISH.disclosure) return configured;
  return disclosureSentence(language) ?? configured;
}

/** Kept for callers of the one-sentence API: the hand-over in the customer's language, when there is one. */
export function handoffInLanguage(language: string | undefined): string | undefined {
  return handoffSentence(language);
}

/** Outside the team's hours, in English. */
export function afterHours(teamName: string, backAt: string): string {
  return ENGLISH.afterHours(teamName, backAt);
}

// A customer telling us, in words, that the last answer did not help (channels without buttons, or no tap).
const NOT_HELPFUL = /^\s*(no[,.!]?\s*)?(that|this|it)\s*(did ?n[o']?t|does ?n[o']?t|is ?n[o']?t|was ?n[o']?t)\s*(help|answer|work|what i (asked|meant))|^\s*(not helpful|useless|wrong answer|that'?s not what i asked)\b/i;
export function saysNotHelpful(text: string): boolean {
  return NOT_HELPFUL.test(text);
}

// A lasting request not to be handled by AI: "stop the bot", "no AI please", "I don't want to talk to a bot".
const OPT_OUT = /\b(no|stop|don'?t want|do not want|opt out of|turn off)\b.{0,20}\b(ai|a\.i\.|bots?|chatbots?|automated (answers|replies|messages))\b/i;
export function asksToOptOutOfAi(text: string): boolean {
  return OPT_OUT.test(text);
}
