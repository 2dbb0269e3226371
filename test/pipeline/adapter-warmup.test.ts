// A channel's adapter is built when the gateway starts, not on its first webhook: Teams' adapter loads the Agents
// SDK (hundreds of milliseconds of synchronous require), which would stall every request in the process, /health
// included, at the moment the first Teams activity arrives (found by test/security/probe.test.ts).
import { startTestGateway, type TestGateway } from '../support/gateway';

let first: TestGateway;
let second: TestGateway | undefined;

beforeAll(async () => {
  first = await startTestGateway('adapter_warmup');
  const channels = first.gateway.store.channels;
  await channels.ensure({ id: 'teams-warm', kind: 'teams', name: 'Teams', settings: { authDisabled: true, allowedServiceHosts: ['127.0.0.1'] }, secrets: {} });
  // No app id and auth on: this adapter cannot be built. It must not keep the gateway from starting.
  await channels.ensure({ id: 'teams-broken', kind: 'teams', name: 'Teams without app id', settings: {}, secrets: {} });
  await channels.ensure({ id: 'teams-off', kind: 'teams', name: 'Teams, disabled', settings: { authDisabled: true }, secrets: {} });
  await channels.setEnabled('teams-off', false);
});

afterAll(async () => {
  await second?.stop();
  await first.stop();
});

it('builds the enabled channels\' adapters before it listens, and starts even when one of them cannot be built', async () => {
  // A second process on the same store: its listen() is the start that meets these channels already configured.
  second = await startTestGateway('adapter_warmup', { shareWith: first });
  const registry = second.gateway.deps.registry;
  const get = (id: string) => second!.gateway.store.channels.get(id);
  expect(registry.has((await get('teams-warm'))!)).toBe(true);
  expect(registry.has((await get('teams-broken'))!)).toBe(false);
  expect(registry.has((await second.gateway.store.channels.list()).find((c) => c.id === 'teams-off')!)).toBe(false);
  // The gateway is up all the same.
  expect((await fetch(`${second.url}/health`)).status).toBe(200);
});
