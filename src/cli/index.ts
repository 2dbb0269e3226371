import { Command } from 'commander';

/** `switchboard <command>`: the package's bin. Commands load lazily (require, which tsx's CommonJS hook serves) so `--help` stays instant. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('switchboard').description('AI-first customer service gateway').showHelpAfterError();

  program
    .command('start')
    .description('start the gateway (embedded store unless MONGODB_URI is set)')
    .action(async () => (require('./start') as typeof import('./start')).startCommand());

  program
    .command('bench')
    .description('push messages through the HTTP API channel and print throughput and latency as JSON')
    .option('-n, --messages <n>', 'messages to send', '2000')
    .option('-c, --concurrency <n>', 'requests in flight', '32')
    .option('-w, --workers <n>', 'processing and delivery workers in the gateway', '4')
    .action(async (opts) => (require('./bench') as typeof import('./bench')).benchCommand(opts));

  program
    .command('bench-handoff')
    .description('customers ask for a person, an agent at a (local) Slack desk replies and resolves; prints hand-off latencies as JSON')
    .option('-n, --conversations <n>', 'conversations to hand over', '200')
    .option('-c, --concurrency <n>', 'conversations in flight', '8')
    .action(async (opts) => (require('./bench-handoff') as typeof import('./bench-handoff')).benchHandoffCommand(opts));

  program
    .command('bench-channels')
    .description('customers on WhatsApp (Cloud API) and Telegram write signed webhooks; prints acknowledgement and reply latencies as JSON')
    .option('-n, --messages <n>', 'messages per channel', '500')
    .option('-c, --concurrency <n>', 'messages in flight', '8')
    .action(async (opts) => (require('./bench-channels') as typeof import('./bench-channels')).benchChannelsCommand(opts));

  program
    .command('probe')
    .description('send a running gateway hostile requests that need no secret (unsigned, forged, oversized, traversal, wrong methods, slow bodies); prints counts, exit 1 on a 5xx or a slow /health')
    .requiredOption('--url <url>', 'the gateway, e.g. http://127.0.0.1:3000 (only one you run)')
    .option('--slack <id>', 'a Slack channel id to aim the webhook probes at')
    .option('--telegram <id>', 'a Telegram channel id')
    .option('--whatsapp <id>', 'a WhatsApp (Cloud API) channel id')
    .option('--messenger <id>', 'a Messenger channel id')
    .option('--discord <id>', 'a Discord channel id (interactions endpoint)')
    .option('--webchat <id>', 'a web chat channel id')
    .option('--max-body <bytes>', "the gateway's MAX_BODY_BYTES", '1048576')
    .option('--health-bound <ms>', '/health must always answer within this', '100')
    .action(async (opts) => {
      await (require('./probe') as typeof import('./probe')).probeCommand(opts);
    });

  program
    .command('bench-adversarial')
    .description('hostile 10 KB … 1 MB messages through an in-process gateway; prints the longest event-loop block and /health latency as JSON')
    .option('--sizes <list>', 'message sizes in characters besides the API channel\'s 10,000', '100000,1048576')
    .action(async (opts) => (require('./bench-adversarial') as typeof import('./bench-adversarial')).benchAdversarialCommand(opts));

  const evaluate = program.command('eval').description('measure the embedded brain on labelled data (no network, deterministic)');
  evaluate
    .command('intents')
    .description('train the intent model on TRAIN, report on TEST (CSV "text,category"; category "oos" = out of scope)')
    .requiredOption('--train <csv>', 'training data')
    .requiredOption('--test <csv>', 'test data')
    .option('--oos-threshold <p>', 'confidence below which a message is out of scope (default 0.4 with the encoder; lexical-only 0.45 with oos rows in TRAIN, 0.5 without; 0 turns rejection off)')
    .option('--no-embeddings', 'lexical features only, without the shared encoder (used by default when prepared; never downloads)')
    .action(async (opts) => (require('./eval') as typeof import('./eval')).evalIntentsCommand(opts));

  evaluate
    .command('retrieval')
    .description('rank DOCS for each query and apply the abstain rule (JSONL: {id,title,text} and {id,query,relevant[]})')
    .option('--docs <jsonl>', 'documents')
    .option('--knowledge <dir>', 'instead of --docs: a markdown help centre, chunked as the brain does (relevant = chunk ids)')
    .requiredOption('--queries <jsonl>', 'queries; an empty "relevant" means the bot should abstain')
    .option('--min-coverage <p>', 'lexical-only: share of the query words the best document must contain to answer (default ANSWER_MIN_SCORE)')
    .option('--min-confidence <p>', "hybrid: threshold the best hit's confidence instead of the encoder's answerability model (the brain's decision)")
    .option('--lexical-only', 'BM25 only, without the embedded embedding model (to compare)')
    .action(async (opts) => (require('./eval-retrieval') as typeof import('./eval-retrieval')).evalRetrievalCommand(opts));

  program
    .command('bench-retrieval')
    .description('hybrid retrieval latency over synthetic help-centre chunks with precomputed vectors; prints JSON')
    .option('--chunks <n>', 'knowledge chunks', '10000')
    .option('--queries <n>', 'queries to time', '500')
    .option('--threads <n>', 'onnxruntime intra-op threads for the query embedding', '1')
    .action(async (opts) => (require('./bench-retrieval') as typeof import('./bench-retrieval')).benchRetrievalCommand(opts));

  program
    .command('bench-answers')
    .description("latency of the brain's answer decision per customer message (questions read one by one) over a help centre; prints JSON")
    .option('--knowledge <dir>', 'markdown help centre', 'knowledge/demo')
    .option('--queries <jsonl,...>', 'customer messages (default: both customer-question splits)')
    .option('--threads <n>', 'onnxruntime intra-op threads', '1')
    .option('--brain', 'time the whole embedded brain turn (analysis, routing, answer decision), not the decision alone')
    .action(async (opts) => (require('./bench-answers') as typeof import('./bench-answers')).benchAnswersCommand(opts));

  evaluate
    .command('sentiment')
    .description('score the embedded sentiment analyzer on TEST (CSV "text,label"; label negative, neutral or positive)')
    .requiredOption('--test <csv>', 'test data')
    .option('--no-embeddings', 'rules only, without the embedded MiniLM blend (used by default when prepared; never downloads)')
    .action(async (opts) => (require('./eval-sentiment') as typeof import('./eval-sentiment')).evalSentimentCommand(opts));

  program
    .command('bench-reports')
    .description('reports at scale: seeds a history (embedded store, or MONGODB_URI), times the 30-day overview and a drill-down; prints JSON')
    .option('-c, --conversations <n>', 'conversations to seed', '100000')
    .option('-m, --messages <n>', 'customer messages to seed', '1000000')
    .option('-r, --runs <n>', 'timed runs of each query', '20')
    .action(async (opts) => (require('./bench-reports') as typeof import('./bench-reports')).benchReportsCommand(opts));

  program
    .command('reports')
    .description('reports: "check" recomputes outcomes and daily rollups from the raw events and compares (exit 1 on a mismatch)')
    .argument('<action>', 'check')
    .option('--from <day>', 'first UTC day, YYYY-MM-DD (default: 29 days before --to)')
    .option('--to <day>', 'last UTC day (default: today)')
    .option('--catch-up', 'first fold due outcomes and rebuild dirty days, as the gateways do')
    .option('--json', 'print JSON')
    .action(async (action: string, opts) => {
      if (action !== 'check') throw new Error(`unknown reports action "${action}" (try: check)`);
      await (require('./reports') as typeof import('./reports')).reportsCheckCommand(opts);
    });

  const knowledge = program.command('knowledge').description('manage the knowledge base the bot answers from');
  knowledge
    .command('ingest <path>')
    .description('load markdown, HTML, text and PDF files into the knowledge base; re-ingesting writes only what changed')
    .option('--prune', 'remove documents whose files are gone')
    .option('--base-url <url>', "help-centre URL of the folder: a document's link is <url>/<path>#<section> (default PUBLIC_URL/help)")
    .option('--no-embed', 'store the text only, without vectors from the embedding model')
    .action(async (path: string, opts) => {
      await (require('./knowledge') as typeof import('./knowledge')).knowledgeIngestCommand(path, opts);
    });

  const review = () => require('./knowledge-proposals') as typeof import('./knowledge-proposals');
  knowledge
    .command('proposals')
    .description('list knowledge entries proposed from agents\' answers to escalated questions (nothing goes live before approval)')
    .option('--status <status>', 'proposed, approved, rejected or all', 'proposed')
    .option('--json', 'print JSON')
    .action(async (opts) => {
      await review().knowledgeProposalsCommand(opts);
    });
  knowledge
    .command('approve <id>')
    .description('put a proposed entry live (optionally edited): running gateways answer from it, citing its title')
    .option('--title <title>', 'the title customers see as the citation (default: the question)')
    .option('--question <text>', 'replace the question')
    .option('--answer <text>', 'replace the answer')
    .option('--by <name>', 'who approves (default: the OS user)')
    .option('--no-embed', 'do not embed it here (the gateways embed it when they load it)')
    .action(async (id: string, opts) => {
      await review().knowledgeApproveCommand(id, opts);
    });
  knowledge
    .command('reject <id>')
    .description('reject a proposed entry, or take an approved one out of the knowledge base')
    .option('--by <name>', 'who rejects (default: the OS user)')
    .action(async (id: string, opts) => {
      await review().knowledgeRejectCommand(id, opts);
    });
  knowledge
    .command('gaps')
    .description('what the bot could not answer: answers rated 👎 (with their source) and questions handed over unanswered, with counts')
    .option('--days <n>', 'look back this many days', '30')
    .option('--limit <n>', 'recent items to list', '20')
    .option('--json', 'print JSON')
    .action(async (opts) => {
      await review().knowledgeGapsCommand(opts);
    });

  const collect = (value: string, previous: string[] = []) => [...previous, value];
  program
    .command('channels <action> [id]')
    .description('configure channels: list | add <id> --kind K | set <id> | enable <id> | disable <id> | remove <id> | webhook <id> (Telegram: setWebhook)')
    .option('--kind <kind>', 'add: webchat, api, slack, teams, discord, email, whatsapp, messenger, instagram or telegram')
    .option('--name <name>', 'a name admins recognise')
    .option('--secret <key=value>', 'a secret (stored encrypted); repeat for more', collect)
    .option('--setting <key=value>', 'a setting (true/false and JSON objects are typed, the rest are strings); repeat for more', collect)
    .action(async (action: string, id: string | undefined, opts) => {
      await (require('./channels') as typeof import('./channels')).channelsCommand(action, id, opts);
    });

  program
    .command('bench-console')
    .description('the console in Chromium: bundle size, inbox page load, and escalation → visible in an open inbox; prints JSON')
    .option('-e, --escalations <n>', 'escalations to watch arrive', '30')
    .option('-l, --loads <n>', 'cold page loads', '10')
    .option('--oplog', 'the embedded store with its oplog: live updates follow change streams instead of polling')
    .action(async (opts) => (require('./bench-console') as typeof import('./bench-console')).benchConsoleCommand(opts));

  program
    .command('users <action> [email]')
    .description('console users: list | add <email> --role R | remove <email> | reset <email> (new password) | setup-link (first owner)')
    .option('--role <role>', 'add: owner, admin, agent or analyst', 'agent')
    .option('--name <name>', 'add: the name colleagues see')
    .option('--team <team>', 'add: a team from routing.yaml; repeat for more', collect)
    .option('--password <password>', 'add/reset: the password (default: a generated one, printed once)')
    .action(async (action: string, email: string | undefined, opts) => {
      await (require('./users') as typeof import('./users')).usersCommand(action, email, opts);
    });

  await program.parseAsync(argv);
}
