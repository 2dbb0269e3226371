/**
 * Training sentences for the optional embedding model, written for this project (own text, Apache-2.0 like the
 * rest of the code) plus neutral requests from CLINC150 (CC BY 3.0, see clinc150-neutral.ts). Deliberately NOT the
 * airline tweets: those are CC BY-NC-SA and only ever used to measure.
 */
import { CLINC150_NEUTRAL } from './clinc150-neutral';

const cross = (a: string[], b: string[]): string[] => a.flatMap((x) => b.map((y) => `${x} ${y}`));

const PROBLEM_SUBJECTS = ['My order', 'My package', 'My flight', 'My bag', 'My refund', 'The delivery', 'My parcel', 'My booking'];
const PROBLEMS = [
  "still hasn't arrived",
  'was cancelled again',
  'is delayed by three hours',
  'got lost',
  'arrived damaged',
  'never showed up',
  'is two weeks late',
  'was sent to the wrong address',
];

export const NEGATIVE_EXAMPLES: string[] = [
  ...cross(PROBLEM_SUBJECTS, PROBLEMS),
  "I'm so frustrated.",
  'This is ridiculous.',
  'Worst service ever.',
  'I am really angry about this.',
  'Absolutely unacceptable.',
  'I have been on hold for an hour.',
  'Nobody is answering my emails.',
  'Your app keeps crashing.',
  'I was charged twice and nobody cares.',
  'Terrible customer service, I want my money back.',
  'You lost my luggage and nobody can tell me where it is.',
  'Stuck at the airport with no help from your staff.',
  'The agent was rude and hung up on me.',
  'I have asked three times and still no answer.',
  'What a joke of a company.',
  'Never flying with you again.',
  'Your website is down and I cannot check in.',
  'Seriously? Another delay?',
  'The seats were dirty and the crew ignored us.',
  'Thanks for nothing.',
  ...cross(['Ugh.', 'Unbelievable.'], PROBLEMS.map((p) => `My order ${p}.`)),
];

export const POSITIVE_EXAMPLES: string[] = [
  ...cross(
    ['Thanks so much for', 'Thank you for', 'Really appreciate', 'Big thanks for'],
    ['the quick reply', 'sorting this out', 'your help today', 'the great service', 'getting me home on time', 'the upgrade', 'fixing my booking', 'the friendly crew'],
  ),
  'Love the new app!',
  'The crew was amazing.',
  'Great flight, smooth and on time.',
  'Your support team is awesome.',
  'Best customer service I have had in years.',
  'Everything arrived perfectly, thank you!',
  'So happy with my order.',
  'Kudos to the agent who helped me.',
  'The staff were wonderful and kind.',
  'Excellent experience from start to finish.',
  'You guys rock!',
  'Fantastic, problem solved.',
  'I really enjoyed the flight.',
  'Nice job on the new website.',
  'Thanks, that worked perfectly.',
];

export const NEUTRAL_EXAMPLES: string[] = [
  'Can I change my booking to Friday?',
  'What is the baggage allowance for economy?',
  'Do you fly to Denver?',
  'How do I add my loyalty number?',
  'Is flight 214 on time today?',
  'When does check-in open?',
  'Can I bring my dog on board?',
  'What is your refund policy?',
  'Do you ship to Canada?',
  'Where can I find my booking reference?',
  'How long does delivery take?',
  'Can I pick a seat online?',
  'Is there wifi on the plane?',
  'What are your opening hours?',
  'I need to update my email address.',
  'Please send me the invoice for my order.',
  'I sent you a DM with my confirmation number.',
  'Flight 88 from Boston to Chicago tomorrow.',
  'Following up on my earlier message.',
  'Can you tell me the gate for my flight?',
  ...CLINC150_NEUTRAL,
];
