/**
 * Customer-service cues that a general sentiment lexicon misses. VADER scores words people use about films and
 * friends; a support message is negative because of *facts* ("still hasn't arrived", "cancelled", "on hold for two
 * hours") more often than because of emotion words. Every pattern and weight here was written by hand from how
 * support conversations read — none was fitted to a dataset.
 *
 * Patterns run on the normalised, lower-cased message. `valence` is added to VADER's compound score (−1 … 1);
 * `frustration` is this cue's own evidence of frustration (0 … 1), combined as independent evidence.
 */
export interface Cue {
  pattern: RegExp;
  valence: number;
  frustration?: number;
  urgent?: boolean;
}

const N = String.raw`(?:not|no|never|hasn'?t|haven'?t|hadn'?t|didn'?t|isn'?t|wasn'?t|aren'?t|weren'?t|don'?t|doesn'?t|can'?t|cannot|won'?t)`;
const GOODS = String.raw`(?:bags?|luggage|baggage|suitcases?|packages?|parcels?|orders?|items?|deliver(?:y|ies)|shipments?|card|refund|money)`;

/** The problem has been going on, or keeps happening: the strongest sign of frustration in support. */
export const REPEAT_CUES: Cue[] = [
  { pattern: new RegExp(String.raw`\bstill (?:${N}|waiting|on hold|stuck|sitting|nothing|no\b|missing|broken|delayed|charging|getting)(?:\s+[\w']+){0,2}`), valence: -0.5, frustration: 0.45 },
  { pattern: /\b(?:yet )?again\b/, valence: -0.25, frustration: 0.3 },
  { pattern: /\b(?:\d+|two|three|four|five|several|multiple|many)(?:st|nd|rd|th)? (?:times|calls|emails|attempts)\b|\b(?:second|third|fourth|fifth|\d+(?:nd|rd|th)) time\b/, valence: -0.35, frustration: 0.45 },
  { pattern: /\b(?:(?:it'?s|it has|has|have|i'?ve|we'?ve) been|for|over|after) (?:over |almost |nearly |more than )?(?:\d+|two|three|four|five|six|several|a few|a couple of) (?:days|weeks|months)\b/, valence: -0.35, frustration: 0.35 },
  { pattern: /\b(?:every|each) (?:time|single time)\b|\bkeeps? (?:happening|getting|saying|telling|sending|charging|cancell?ing|delaying)\b/, valence: -0.3, frustration: 0.35 },
];

/** Something went wrong: facts that make a message a complaint even without an emotion word. */
export const COMPLAINT_CUES: Cue[] = [
  { pattern: new RegExp(String.raw`\b(?:never|${N} (?:yet |even )?)(?:arrived|arrive|received|receive|delivered|shown up|showed up|show up|come|came|got|gotten|get|called back|call(?:ed)? me back|responded|respond|replied|answered|refunded|heard back|working|work)\b`), valence: -0.5, frustration: 0.25 },
  { pattern: /\b(?:cancell?(?:ed|ing|ation|ations))\b/, valence: -0.35 },
  { pattern: /\b(?:delay(?:ed|s)?|late flight|running late|arrived late|so late|hours? late)\b/, valence: -0.35 },
  { pattern: /\b(?:waiting|waited|wait time|on hold|hold time|been holding|in line|in queue)\b/, valence: -0.35, frustration: 0.2 },
  { pattern: /\b(?:for|over|almost|nearly|after|another) (?:an? |\d+\+? ?|two |three |several |many )(?:hours?|hrs?|minutes|mins|days|weeks|months)\b/, valence: -0.3, frustration: 0.25 },
  { pattern: new RegExp(String.raw`\b(?:lost|missing|damaged|broken|stolen|wrong|misplaced|delayed)\b(?: \w+){0,3} ${GOODS}\b|\b${GOODS}\b(?: \w+){0,3} (?:lost|missing|damaged|broken|stolen|misplaced|never)\b`), valence: -0.5, frustration: 0.2 },
  { pattern: /\b(?:no one|nobody|noone|no-one)\b/, valence: -0.35, frustration: 0.2 },
  { pattern: /\b(?:can'?t|cannot|unable to|couldn'?t|could not|impossible to)(?: even)? (?:get through|reach|get a hold|get ahold|get anyone|talk to|speak to|log ?in|rebook|check ?in|change|find|access|use|get)\b/, valence: -0.4, frustration: 0.25 },
  { pattern: /\b(?:hung up|hang up|hangs up|disconnected|transferred (?:me )?(?:around|again|\d+ times))\b/, valence: -0.5, frustration: 0.35 },
  { pattern: /\b(?:stranded|stuck)\b/, valence: -0.4, frustration: 0.2, urgent: true },
  { pattern: /\bmiss(?:ed|ing) (?:my |the |our |a )?(?:connect(?:ion|ing)|flight|appointment|meeting)\b/, valence: -0.5, frustration: 0.2 },
  { pattern: /\b(?:overbooked|oversold|bumped|downgraded)\b/, valence: -0.4 },
  { pattern: /\bno (?:response|reply|replies|answer|help|update|updates|info|information|explanation|communication|call ?back|email|compensation|notice|notification|apology|refund|luck|way)\b/, valence: -0.4, frustration: 0.2 },
  { pattern: /\b(?:(?:charged|billed) (?:me )?(?:twice|double|again|extra)|overcharg\w*|double charged|hidden fees?)\b/, valence: -0.45, frustration: 0.2 },
  { pattern: /\b(?:what|such) a joke\b|\bis a joke\b|\bjoke of\b/, valence: -0.7, frustration: 0.4 },
  { pattern: /\b(?:complain\w*|complaint)\b/, valence: -0.35, frustration: 0.2 },
  { pattern: /\b(?:never (?:again|fly\w*|use|using|book\w*|order\w*)|last time i (?:fly|flew|use|order|book)|switching to|done with you)\b/, valence: -0.6, frustration: 0.4 },
  { pattern: /\b(?:refund|compensat\w*|reimburs\w*|my money back)\b/, valence: -0.25 },
  { pattern: /\b(?:worst|terrible|horrible|awful|pathetic|useless|incompetent|unacceptable|disgrace\w*|disgust\w*|shameful|ridiculous|absurd|unprofessional|rude)\b/, valence: -0.25, frustration: 0.35 },
  { pattern: /\b(?:seriously|really)\s*[?!]|\bare you (?:serious|kidding)\b|\byou'?re kidding\b/, valence: -0.35, frustration: 0.3 },
  { pattern: /\b(?:why (?:is|are|do|does|did|can'?t|won'?t|would|is it|isn'?t|hasn'?t|haven'?t)|how (?:hard|difficult) is it|how is (?:it|this) (?:possible|acceptable|ok)|what happened to|what'?s going on)\b/, valence: -0.25, frustration: 0.15 },
  { pattern: /\bthanks? (?:you )?for\b.{0,30}\b(?:delay\w*|cancell?\w*|wait\w*|losing|lost|missing|ruin\w*|wast\w*|hold|rude\w*|nothing)\b|\bthanks? (?:you )?(?:for nothing|a lot\b.{0,40}\b(?:not|no|never))\b|\bthanks for (?:ruining|wasting|losing|cancell?ing|delaying|nothing)\b/, valence: -1.2, frustration: 0.4 },
  { pattern: /\b(?:fix (?:this|it|your)|get it together|do better|step up|figure it out|sort it out)\b/, valence: -0.35, frustration: 0.25 },
  { pattern: /(?<!\bno )(?<!\bnot an? )\b(?:issue|issues|problem|problems|trouble|error|glitch|bug)\b/, valence: -0.15 },
  // Words of a bad experience that VADER's lexicon does not know, or weighs like a film review.
  { pattern: /\b(?:nightmare|atrocious|appalling|flawed|hassle|fiasco|chaos|chaotic|ordeal|pointless|hostage|negligen\w*|incompeten\w*|lying|lied|liars?|mislead\w*|misinform\w*|rip(?:ped)? ?off|robbed|insult\w*|ignored|ignoring|dismissive|unhelpful|not helpful|clueless|mess(?:ed)? up|screw(?:ed)? up|dropped the ball|let (?:me|us) down|cramped|dirty|filthy|smelly|freezing|expired|outdated|sucks?|garbage|trash|crap\w*|bullshit|nonsense|waste of|wasted|poor(?:ly)?|mediocre|subpar|unreliable|inconvenien\w*|disorganized|confus\w*|lame|boo|bummed|sad|upset|disappoint\w*|frustrat\w*)\b/, valence: -0.35, frustration: 0.2 },
  { pattern: /\b(?:(?:didn'?t|haven'?t|hasn'?t|never|not) (?:hear|heard)(?: anything| a thing)?(?: back)?|(?:give|giving|gave) up|what'?s the point|what is the point|insufficient|refus(?:e|ed|es|ing)|(?:it'?s|is|was|were|got|been|are) lost|\w*fail|speak (?:with|to) (?:a |your )?(?:supervisor|manager)|zero)\b/, valence: -0.35, frustration: 0.25 },
  // The service itself is broken.
  { pattern: /\b(?:site|website|app|system|page|link|phone lines?|server|wifi|wi-fi|checkout|payment|login|chat)s?\b.{0,20}\b(?:is |are |was |went |keeps? (?:going )?)?(?:down|crash\w*|broken|not (?:working|loading|load)|won'?t (?:load|work|let)|doesn'?t (?:work|load|let)|froze|frozen|errors?)\b|\bcrash(?:ed|es|ing)\b/, valence: -0.45, frustration: 0.15 },
  // Effort that did not pay off ("been trying to call since noon").
  { pattern: /\b(?:trying to|tried to|tried|been trying|keep trying|attempting to)\b/, valence: -0.25, frustration: 0.15 },
  // What should have happened and did not.
  { pattern: /\b(?:should have|should'?ve|shouldn'?t have|supposed to|would have been|could have|were told|was told|promised)\b/, valence: -0.3, frustration: 0.15 },
  { pattern: /(?:😠|😡|🤬|😤|😒|😞|😔|😟|😢|😭|😩|😫|🙄|👎|💩|😑|😖|😣|😕|☹|🙁|😾|😿)/u, valence: -0.45, frustration: 0.25 },
];

/** Anger in words, caps or punctuation: frustration, and pulls the score down a little more than VADER does. */
export const ANGER_CUES: Cue[] = [
  { pattern: /\b(?:furious|livid|outraged|outrageous|infuriat\w*|enraged|fuming|pissed|irate|angry|angrier|mad at|so mad|beyond mad|disgusted)\b/, valence: -0.35, frustration: 0.7 },
  { pattern: /\b(?:fed up|sick (?:and tired )?of|tired of|had enough|enough is enough|at my wits'? end|fml|wtf|wth|ffs|smh|ugh+|argh+)\b/, valence: -0.4, frustration: 0.6 },
  { pattern: /\b(?:frustrat\w*|annoy\w*|irritat\w*|aggravat\w*|exasperat\w*|fail)\b/, valence: -0.2, frustration: 0.5 },
];

/** Time pressure or harm: the agent should look first. */
export const URGENT_CUES: Cue[] = [
  { pattern: /\b(?:urgent\w*|asap|a\.s\.a\.p|emergency|immediately|right (?:now|away)|time[- ]sensitive|as soon as possible)\b/, valence: -0.1, urgent: true },
  { pattern: /\b(?:fraud\w*|stolen|hacked|scam\w*|unauthori[sz]ed|identity theft|someone (?:used|took|accessed))\b/, valence: -0.3, frustration: 0.2, urgent: true },
  { pattern: /\b(?:locked out|can'?t access my (?:account|money|funds)|medical|hospital|safety|unsafe|dangerous|injur\w*)\b/, valence: -0.2, urgent: true },
  { pattern: /\b(?:deadline|by (?:tomorrow|tonight|today|monday|tuesday|wednesday|thursday|friday|saturday|sunday|noon|\d{1,2}(?::\d\d)? ?(?:am|pm))|(?:leaves|departs|boards|boarding|closes|starts|expires|due) in (?:an?|\d+|a few|few) (?:hours?|hrs?|minutes?|mins?)|in (?:an?|\d+) (?:hours?|hrs?|minutes?|mins?)\b.{0,30}\b(?:flight|wedding|funeral|interview|meeting|deadline))\b/, valence: -0.1, urgent: true },
];

/** Gratitude and praise the general lexicon underweights in support ("thanks for the quick reply"). */
export const POSITIVE_CUES: Cue[] = [
  { pattern: /(?:😊|😀|😁|😃|😄|😍|🥰|❤|♥|💕|💖|💙|💜|👍|🙌|👏|🎉|😎|☺|🙂|😘|😻|💯|🙏)/u, valence: 0.4 },
  { pattern: /\b(?:thank you|thanks|thx|thnx|ty|tysm|cheers|much appreciated|appreciate (?:it|you|that|the|your))\b/, valence: 0.35 },
  { pattern: /\b(?:no problem|no worries|no issues?|no complaints|not bad|not a problem|problem solved|all good|works now|working now|sorted|resolved|fixed it|made my day)\b/, valence: 0.55 },
  { pattern: /\b(?:great|excellent|amazing|awesome|fantastic|wonderful|outstanding|superb|stellar|perfect|best|love|loved|kudos|props|shout ?out|well done|good job|great job|nice job|a+ service|rock|rocks|you guys rock|impressed)\b/, valence: 0.2 },
];

/** Words VADER counts as sentiment that in a support request are only politeness or the request itself. */
export const REQUEST_WORDS = /\b(?:would love|i'?d love|love to|hope|hoping|hopefully|wish|wishing|please|pls|plz|kindly|help|helping|want|wanted|urgent|urgently|yes|true|ok|okay|fly|flying|hand|care|like|dm|dmd|dm'd|follow|followed|chance|share|sure)\b/gi;

/** Negated complaints that mean "fine"; scored by POSITIVE_CUES, so VADER must not also see (and misread) them. */
export const NEGATED_COMPLAINTS = /\b(?:not bad|not a problem|no (?:problems?|worries|issues?|complaints))\b/gi;

/** A question asks something; unless it also complains, it is neutral whatever its words. */
export const QUESTION = /\?|^(?:how|what|when|where|which|who|whom|whose|can|could|would|will|is|are|am|do|does|did|should|may|any|anyone|is there|are there)\b/;
