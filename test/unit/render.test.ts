import { render, splitText } from '../../adapters/render';
import type { Capabilities } from '../../adapters/types';

const rich: Capabilities = {
  maxTextLength: 1000,
  markup: 'markdown',
  buttons: { max: 3, titleMax: 20 },
  attachments: { kinds: ['image'], maxBytes: 1000 },
  threads: false,
  edits: false,
  typing: false,
  citations: 'native',
};
const plainSms: Capabilities = { ...rich, maxTextLength: 160, markup: 'plain', buttons: false, attachments: false, citations: 'text' };
const base = { messageId: 'm1', conversationId: 'c1', authorKind: 'bot' as const, citations: [] };

describe('render degrades replies to what a channel can show', () => {
  it('keeps buttons and native citations on a rich channel', () => {
    const out = render(
      {
        ...base,
        parts: [{ type: 'text', text: 'Returns are free.' }, { type: 'choices', choices: [{ id: 'a', title: 'Yes' }, { id: 'b', title: 'No' }] }],
        citations: [{ title: 'Returns › Window', url: 'https://x/returns' }],
      },
      rich,
    );
    expect(out.warnings).toEqual([]);
    expect(out.messages).toEqual([
      expect.objectContaining({ text: 'Returns are free.', choices: [{ id: 'a', title: 'Yes' }, { id: 'b', title: 'No' }], citations: [{ title: 'Returns › Window', url: 'https://x/returns' }], chunkIndex: 0 }),
    ]);
  });

  it('gives each file its own chunk after the text where files are separate messages, and keeps only public URLs as files', () => {
    const byLink: Capabilities = { ...rich, attachments: { kinds: ['image', 'file'], maxBytes: 1000, byLink: true, separate: true } };
    const out = render(
      {
        ...base,
        parts: [
          { type: 'text', text: 'Your label:' },
          { type: 'media', url: 'https://cdn.example/label.pdf', mimeType: 'application/pdf', name: 'label.pdf' },
          { type: 'media', url: 'attachment:0', mimeType: 'image/png', name: 'photo.png' },
          { type: 'choices', choices: [{ id: 'ok', title: 'Got it' }] },
        ],
      },
      byLink,
    );
    expect(out.messages.map((m) => ({ text: m.text, chunkIndex: m.chunkIndex, choices: m.choices, media: m.media }))).toEqual([
      { text: 'Your label:\n\nphoto.png: attachment:0', chunkIndex: 0, choices: [{ id: 'ok', title: 'Got it' }], media: undefined },
      { text: '', chunkIndex: 1, choices: undefined, media: [{ type: 'media', url: 'https://cdn.example/label.pdf', mimeType: 'application/pdf', name: 'label.pdf' }] },
    ]);
    expect(out.warnings).toEqual(['media_as_link']);

    const fileOnly = render({ ...base, parts: [{ type: 'media', url: 'https://cdn.example/a.jpg', mimeType: 'image/jpeg' }] }, byLink);
    expect(fileOnly.messages).toEqual([expect.objectContaining({ text: '', chunkIndex: 0, media: [{ type: 'media', url: 'https://cdn.example/a.jpg', mimeType: 'image/jpeg' }] })]);
  });

  it('turns too many buttons into a numbered list and truncates long titles', () => {
    const many = render({ ...base, parts: [{ type: 'choices', prompt: 'Pick one', choices: ['a', 'b', 'c', 'd'].map((id) => ({ id, title: id.toUpperCase() })) }] }, rich);
    expect(many.messages[0]!.text).toBe('Pick one\n\n1. A\n2. B\n3. C\n4. D');
    expect(many.messages[0]!.choices).toBeUndefined();
    expect(many.warnings).toContain('choices_as_list');

    const long = render({ ...base, parts: [{ type: 'choices', choices: [{ id: 'x', title: 'A very long button title indeed' }] }] }, rich);
    expect(long.messages[0]!.choices![0]!.title).toBe('A very long button …');
    expect(long.messages[0]!.choices![0]!.title.length).toBe(20);
    expect(long.warnings).toContain('choice_title_truncated');
  });

  it('writes citations, links and media into plain text where the channel has no rich parts', () => {
    const out = render(
      {
        ...base,
        parts: [
          { type: 'text', text: 'See **our policy** at [the help centre](https://help.example/returns).' },
          { type: 'media', url: 'https://cdn.example/label.pdf', mimeType: 'application/pdf', name: 'label.pdf' },
        ],
        citations: [{ title: 'Returns', url: 'https://help.example/returns' }],
      },
      { ...plainSms, maxTextLength: 1000 },
    );
    expect(out.messages[0]!.text).toBe(
      'See our policy at the help centre (https://help.example/returns).\n\nlabel.pdf: https://cdn.example/label.pdf\n\nSources:\n1. Returns (https://help.example/returns)',
    );
    expect(out.warnings).toEqual(['media_as_link']);
  });

  it('splits long text at paragraph boundaries and puts choices on the last piece', () => {
    const paragraph = 'word '.repeat(25).trim();
    const out = render(
      { ...base, parts: [{ type: 'text', text: `${paragraph}\n\n${paragraph}` }, { type: 'choices', choices: [{ id: 'a', title: 'A' }] }] },
      { ...rich, maxTextLength: 160 },
    );
    expect(out.messages.map((m) => m.text)).toEqual([paragraph, paragraph]);
    expect(out.messages.map((m) => m.chunkIndex)).toEqual([0, 1]);
    expect(out.messages[0]!.choices).toBeUndefined();
    expect(out.messages[1]!.choices).toEqual([{ id: 'a', title: 'A' }]);
    expect(out.warnings).toContain('text_split');
  });

  it('converts markdown to Slack mrkdwn and escapes HTML for HTML channels', () => {
    const parts = [{ type: 'text' as const, text: '**Bold** & [link](https://a.example) <tag>' }];
    expect(render({ ...base, parts }, { ...rich, markup: 'slack-mrkdwn' }).messages[0]!.text).toBe('*Bold* &amp; <https://a.example|link> &lt;tag&gt;');
    expect(render({ ...base, parts }, { ...rich, markup: 'html' }).messages[0]!.text).toBe('<b>Bold</b> &amp; <a href="https://a.example">link</a> &lt;tag&gt;');
  });

  it('hard-splits a single unbroken word only as a last resort', () => {
    expect(splitText('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
    expect(splitText('', 10)).toEqual(['']);
  });
});

describe('numbered choices typed back', () => {
  const { chosenByText } = require('../../src/pipeline/choices') as typeof import('../../src/pipeline/choices');
  const offered = [{ id: 'yes', title: 'Yes please' }, { id: 'handoff', title: 'Talk to a person' }];
  it.each([
    ['2', 'handoff'],
    [' 1. ', 'yes'],
    ['talk to a person', 'handoff'],
    ['3', undefined],
    ['2 weeks ago', undefined],
  ])('"%s" → %s', (text, id) => {
    expect(chosenByText(text, offered)).toBe(id);
  });
  it('means nothing when no choices were offered', () => {
    expect(chosenByText('1', undefined)).toBeUndefined();
  });
});
