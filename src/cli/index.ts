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

  const evaluate = program.command('eval').description('measure the embedded brain on labelled data (no network, deterministic)');
  evaluate
    .command('intents')
    .description('train the intent model on TRAIN, report on TEST (CSV "text,category"; category "oos" = out of scope)')
    .requiredOption('--train <csv>', 'training data')
    .requiredOption('--test <csv>', 'test data')
    .option('--oos-threshold <p>', 'confidence below which a message is out of scope (when TRAIN has oos rows)')
    .action(async (opts) => (require('./eval') as typeof import('./eval')).evalIntentsCommand(opts));

  evaluate
    .command('retrieval')
    .description('rank DOCS for each query and apply the abstain rule (JSONL: {id,title,text} and {id,query,relevant[]})')
    .requiredOption('--docs <jsonl>', 'documents')
    .requiredOption('--queries <jsonl>', 'queries; an empty "relevant" means the bot should abstain')
    .option('--min-coverage <p>', 'share of the query words the best document must contain to answer (default ANSWER_MIN_SCORE)')
    .action(async (opts) => (require('./eval-retrieval') as typeof import('./eval-retrieval')).evalRetrievalCommand(opts));

  await program.parseAsync(argv);
}
