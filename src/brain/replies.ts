import type { Choice } from '../../adapters/types';
import { HANDOFF_ACTION } from './types';

/**
 * What the bot says in its own words. Kept together so they can be reviewed (tone, honesty) and, later,
 * translated; the knowledge base's own text is never rewritten here.
 */
export const RATE_HELPFUL = 'rate:helpful';
export const RATE_UNHELPFUL = 'rate:unhelpful';

export const HANDOFF_CHOICE: Choice = { id: HANDOFF_ACTION, title: 'Talk to a person' };
export const RATING_CHOICES: Choice[] = [
  { id: RATE_HELPFUL, title: '👍 Helpful' },
  { id: RATE_UNHELPFUL, title: '👎 Not helpful' },
];

export const REPLIES = {
  handoff: "Of course — I'm handing you over to a member of our team. They'll reply here.",
  optOut: "Understood — I won't answer you automatically again. A member of our team will reply here.",
  optedOut: 'Thanks for your message — a member of our team will reply here.',
  abstain: "I'm sorry, I don't have a reliable answer to that in our help centre, and I'd rather not guess. I'm passing your question to a member of our team.",
  upset: "I'm sorry about this — I can see it's frustrating. I'm bringing in a member of our team to sort it out with you.",
  urgent: "I understand this is urgent. I'm passing it straight to a member of our team.",
  policy: "I'm passing this to a member of our team, who can take care of it properly.",
  repeated: "I'm sorry my answers haven't helped. I'm handing you over to a member of our team.",
  thanksForRating: 'Thanks for the feedback!',
  sorryUnhelpful: "Sorry that didn't help. Could you tell me a bit more, or would you like to talk to a person?",
  alreadyQueued: 'Your conversation is already with our team; they will reply here.',
} as const;

/**
 * When the knowledge base cannot answer a customer writing in a language it does not hold, the hand-over is said
 * in their language: a person who reads it can help, and the customer knows they were understood.
 */
const HANDOFF_IN: Record<string, string> = {
  de: 'Danke für Ihre Nachricht! Ich gebe Ihr Anliegen an unser Team weiter; eine Kollegin oder ein Kollege antwortet Ihnen hier.',
  fr: 'Merci pour votre message ! Je transmets votre demande à notre équipe ; un conseiller vous répondra ici.',
  es: '¡Gracias por su mensaje! Paso su consulta a nuestro equipo; una persona le responderá aquí.',
  it: 'Grazie per il messaggio! Passo la sua richiesta al nostro team; un collega le risponderà qui.',
  nl: 'Bedankt voor uw bericht! Ik geef uw vraag door aan ons team; een collega antwoordt u hier.',
  pt: 'Obrigado pela sua mensagem! Vou passar o seu pedido à nossa equipa; um colega responder-lhe-á aqui.',
};

export function handoffInLanguage(language: string | undefined): string | undefined {
  return language ? HANDOFF_IN[language] : undefined;
}

/** Outside the team's hours: say when people are back, and offer to keep helping meanwhile. */
export function afterHours(teamName: string, backAt: string): string {
  return `Our ${teamName} team is back ${backAt}. I've passed your conversation on so they see it first thing; until then I'm happy to keep helping — just ask.`;
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
