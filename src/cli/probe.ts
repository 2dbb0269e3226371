import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { answerProblems, healthPinger, rejectedCases, runCases, SECRET_FREE_CATEGORIES, slowBodies, summarize, type ProbeTarget } from './probe-cases';
import { positive } from './options';

export interface ProbeOptions {
  url: string;
  slack?: string;
  telegram?: string;
  whatsapp?: string;
  messenger?: string;
  discord?: string;
  webchat?: string;
  maxBody: string;
  healthBound: string;
}

/**
 * `switchboard probe --url <gateway>`: the security suite's secret-free categories (unsigned, forged, stale,
 * oversized, path traversal, wrong methods, unknown channels, slow bodies) against a running gateway, with /health
 * pinged throughout. It never holds a valid key or signature, so nothing it sends can be stored. Channel ids
 * (`--slack <id>` ...) aim the webhook probes at real channels; without them those land on unknown channels.
 * Prints the counts per category and any problem; the exit code is 1 when there is one. Bounded: about 100
 * requests and 6 slow sockets for 3 s. Point it only at a gateway you run.
 */
export async function probeCommand(options: ProbeOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const url = new URL(options.url).origin;
  const maxBodyBytes = positive(options.maxBody, '--max-body');
  const boundMs = positive(options.healthBound, '--health-bound');
  const secret = () => randomBytes(16).toString('hex');
  const id = (given: string | undefined, kind: string) => given ?? `probe-no-${kind}-channel`;
  // Made-up secrets: every signature the probe computes is a wrong one for the gateway.
  const target: ProbeTarget = {
    url,
    maxBodyBytes,
    api: { key: `sk_probe_${secret()}` },
    webchat: { channelId: id(options.webchat, 'webchat') },
    slack: { channelId: id(options.slack, 'slack'), signingSecret: secret() },
    telegram: { channelId: id(options.telegram, 'telegram'), secretToken: secret() },
    whatsapp: { channelId: id(options.whatsapp, 'whatsapp'), appSecret: secret(), phoneNumberId: 'PROBE' },
    messenger: { channelId: id(options.messenger, 'messenger'), appSecret: secret(), pageId: 'PROBE' },
    discord: { channelId: id(options.discord, 'discord'), privateKey: generateKeyPairSync('ed25519').privateKey },
  };
  const cases = rejectedCases(target).filter((c) => SECRET_FREE_CATEGORIES.has(c.category));

  const pinger = healthPinger(url, 20);
  const [results, slow] = await Promise.all([runCases(url, cases, 4), slowBodies(url, target, { connections: 6, dripMs: 100, durationMs: 3_000 })]);
  const health = await pinger.stop();

  const all = [...results, ...slow];
  const maxMs = health.latencies.length ? Math.max(...health.latencies) : Number.NaN;
  const problems = [...answerProblems(all), ...health.failures];
  if (!(maxMs < boundMs)) problems.push(`/health: slowest answer ${maxMs.toFixed(1)} ms (bound ${boundMs} ms)`);
  out.write(
    [
      `probe ${url}: ${all.length} requests, ${health.latencies.length} /health checks (slowest ${maxMs.toFixed(1)} ms)`,
      ...summarize(all).map((line) => `  ${line}`),
      ...(problems.length ? [`${problems.length} problem(s):`, ...problems.map((p) => `  ${p}`)] : ['no problems found']),
      '',
    ].join('\n'),
  );
  if (problems.length) process.exitCode = 1;
  return problems.length;
}
