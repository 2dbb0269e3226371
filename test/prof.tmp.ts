import { demoBrain } from '../test/support/demo-brain';
import { loadEmbeddedEmbedder } from '../src/brain/embeddings';
import { extractEntities } from '../src/brain/entities';
import { detectLanguage } from '../src/brain/language';
import { asksForHuman } from '../src/brain/intents';
const unit = (u: string, n: number) => u.repeat(Math.ceil(n / u.length)).slice(0, n);
const SHAPES: Record<string, (n: number) => string> = {
  letters: (n) => unit('a', n), 'a.': (n) => unit('a.', n), 'digits+spaces': (n) => unit('1 ', n), 'zeros+spaces': (n) => unit('0 ', n),
  'a@': (n) => unit('a@', n), 'x@a.a.': (n) => `x@${unit('a.', n)}`, 'agent+spaces': (n) => `agent${unit(' ', n)}x`, '+49': (n) => unit('+49 ', n),
  words: (n) => unit('still waiting for my lost order again, thanks for the delay ', n),
};
(async () => {
  const embedder = await loadEmbeddedEmbedder();
  const brain: any = await demoBrain({ embedder });
  const a = brain.parts.analyzer;
  const t = (f: () => unknown) => { const s = performance.now(); f(); return (performance.now() - s).toFixed(1); };
  for (let i = 0; i < 2; i++) for (const [name, make] of Object.entries(SHAPES)) {
    const text = make(4000);
    const row: any = { name };
    row.lang = t(() => detectLanguage(text, {}));
    row.ent = t(() => extractEntities(text));
    row.human = t(() => asksForHuman(text));
    row.intent = t(() => a.classifier?.predict(text));
    let s = performance.now(); await a.sentiment.analyze(text); row.sent = (performance.now() - s).toFixed(1);
    s = performance.now(); await brain.decide({ conversationId: 'x', text, channelKind: 'api', contact: { aiOptOut: false, vip: false }, conversation: { status: 'bot', unhelpfulTurns: 0 }, history: [] }); row.decide = (performance.now() - s).toFixed(1);
    if (i === 1) console.log(JSON.stringify(row));
  }
  process.exit(0);
})();
