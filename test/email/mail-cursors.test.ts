import { startTestGateway, type TestGateway } from '../support/gateway';

describe('MailCursorRepository', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway('mail_cursors', { startWorkers: false });
  });
  afterAll(() => t.stop());

  it('creates on first advance, only moves forward, and is replaced by another UIDVALIDITY', async () => {
    const cursors = t.gateway.store.mailCursors;
    expect(await cursors.get('c1', 'INBOX')).toBeNull();
    await cursors.advance('c1', 'INBOX', '100', 5);
    expect(await cursors.get('c1', 'INBOX')).toEqual({ uidValidity: '100', lastUid: 5 });
    await cursors.advance('c1', 'INBOX', '100', 3);
    await cursors.advance('c1', 'INBOX', '100', 5);
    expect(await cursors.get('c1', 'INBOX')).toEqual({ uidValidity: '100', lastUid: 5 });
    await Promise.all([7, 9, 8, 6].map((uid) => cursors.advance('c1', 'INBOX', '100', uid)));
    expect(await cursors.get('c1', 'INBOX')).toEqual({ uidValidity: '100', lastUid: 9 });
    await cursors.advance('c1', 'INBOX', '200', 2);
    expect(await cursors.get('c1', 'INBOX')).toEqual({ uidValidity: '200', lastUid: 2 });
    expect(await cursors.get('c1', 'Archive')).toBeNull();
  });

  it('reset starts a mailbox over under a new UIDVALIDITY', async () => {
    const cursors = t.gateway.store.mailCursors;
    await cursors.advance('c2', 'INBOX', '1', 40);
    await cursors.reset('c2', 'INBOX', '2');
    expect(await cursors.get('c2', 'INBOX')).toEqual({ uidValidity: '2', lastUid: 0 });
    await cursors.advance('c2', 'INBOX', '2', 1);
    expect(await cursors.get('c2', 'INBOX')).toEqual({ uidValidity: '2', lastUid: 1 });
    await cursors.reset('c3', 'Support', '9');
    expect(await cursors.get('c3', 'Support')).toEqual({ uidValidity: '9', lastUid: 0 });
  });
});
