import { mediaKind } from './media-kind';
import type { Capabilities, Choice, Citation, Markup, Part, RenderedMessage } from './types';

export interface OutboundContent {
  messageId: string;
  conversationId: string;
  authorKind: RenderedMessage['authorKind'];
  parts: Part[];
  citations: Citation[];
  authorName?: string;
}

export interface RenderResult {
  messages: RenderedMessage[];
  /** What had to be degraded, recorded so admins can see why a reply looks simpler on a channel. */
  warnings: string[];
}

type Media = Extract<Part, { type: 'media' }>;

/**
 * Turns a channel-neutral reply into what a channel can show (botbuilder's ChoiceFactory idea): buttons become a
 * numbered list when there are too many or none are supported, unsupported media become links, citations become a
 * "Sources" footer, markdown is converted to the channel's markup, and long text is split at paragraph or line
 * boundaries. Choices and media travel with the last chunk so they sit under the complete answer, except on
 * channels that send each file as its own message (`attachments.separate`): there every file is a chunk of its own.
 */
export function render(content: OutboundContent, caps: Capabilities): RenderResult {
  const warnings: string[] = [];
  const blocks: string[] = [];
  const choices: Choice[] = [];
  const media: Media[] = [];

  for (const part of content.parts) {
    switch (part.type) {
      case 'text':
        if (part.text.trim()) blocks.push(part.text.trim());
        break;
      case 'choices':
        if (part.prompt) blocks.push(part.prompt);
        choices.push(...part.choices);
        break;
      case 'card':
        blocks.push([`**${part.title}**`, part.text, part.url].filter(Boolean).join('\n'));
        choices.push(...(part.choices ?? []));
        if (part.imageUrl) media.push({ type: 'media', url: part.imageUrl, mimeType: 'image/*' });
        break;
      case 'location': {
        const label = [part.name, part.address].filter(Boolean).join(', ');
        const link = `https://www.openstreetmap.org/?mlat=${part.latitude}&mlon=${part.longitude}`;
        blocks.push(label ? `${label}\n${link}` : link);
        break;
      }
      case 'media':
        if (supportsMedia(caps, part)) {
          media.push(part);
        } else {
          blocks.push(`${part.caption ?? part.name ?? 'Attachment'}: ${part.url}`);
          warnings.push('media_as_link');
        }
        break;
    }
  }

  if (content.authorKind === 'agent' && content.authorName && caps.authorNames !== 'native' && blocks.length > 0) {
    // The customer should know a person wrote this, and who; channels that show authors do it themselves.
    blocks[0] = `**${content.authorName.replace(/\*/g, '')}:** ${blocks[0]}`;
  }

  const nativeCitations = caps.citations === 'native';
  if (content.citations.length > 0 && !nativeCitations) {
    blocks.push(
      ['Sources:', ...content.citations.map((c, i) => `${i + 1}. ${c.url ? `[${c.title}](${c.url})` : c.title}`)].join('\n'),
    );
  }

  let keptChoices: Choice[] | undefined;
  if (choices.length > 0) {
    if (caps.buttons && choices.length <= caps.buttons.max) {
      const titleMax = caps.buttons.titleMax;
      keptChoices = choices.map((c) => {
        if (c.title.length <= titleMax) return c;
        warnings.push('choice_title_truncated');
        return { ...c, title: `${c.title.slice(0, Math.max(1, titleMax - 1))}…` };
      });
    } else {
      blocks.push(choices.map((c, i) => `${i + 1}. ${c.title}`).join('\n'));
      warnings.push('choices_as_list');
    }
  }

  const text = convertMarkup(blocks.join('\n\n'), caps.markup);
  const chunks = splitText(text, caps.maxTextLength);
  if (chunks.length > 1) warnings.push('text_split');
  // Files sent as messages of their own follow the text, one chunk each; otherwise they ride with the last chunk.
  const separateMedia = caps.attachments && caps.attachments.separate ? media.splice(0) : [];
  const texts = chunks.length === 1 && chunks[0] === '' && separateMedia.length > 0 && !keptChoices ? [] : chunks;
  const messages = texts.map((chunk, i): RenderedMessage => {
    const last = i === texts.length - 1;
    return {
      text: chunk,
      format: caps.markup,
      parts: content.parts,
      messageId: content.messageId,
      conversationId: content.conversationId,
      authorKind: content.authorKind,
      chunkIndex: i,
      ...(content.authorName ? { authorName: content.authorName } : {}),
      ...(last && keptChoices ? { choices: keptChoices } : {}),
      ...(last && media.length ? { media } : {}),
      ...(last && nativeCitations && content.citations.length ? { citations: content.citations } : {}),
    };
  });
  for (const file of separateMedia) {
    messages.push({
      text: '',
      format: caps.markup,
      parts: content.parts,
      messageId: content.messageId,
      conversationId: content.conversationId,
      authorKind: content.authorKind,
      chunkIndex: messages.length,
      ...(content.authorName ? { authorName: content.authorName } : {}),
      media: [file],
    });
  }
  return { messages, warnings: [...new Set(warnings)] };
}

function supportsMedia(caps: Capabilities, part: Media): boolean {
  if (!caps.attachments) return false;
  if (part.sizeBytes !== undefined && part.sizeBytes > caps.attachments.maxBytes) return false;
  if (caps.attachments.byLink && !/^https?:\/\//i.test(part.url)) return false;
  return caps.attachments.kinds.includes(mediaKind(part));
}

/**
 * Our replies are written in a small markdown subset: **bold**, _italic_, [text](url), lists. A link's text has no
 * '[' and its URL no '(': every scan then stops at the next bracket, linear on any text (`[^\]]+` rescanned the
 * rest of the text from every '[' of an unclosed run).
 */
const LINK = /\[([^\][]+)\]\((https?:[^()\s]+)\)/g;
export function convertMarkup(markdown: string, markup: Markup): string {
  switch (markup) {
    case 'markdown':
      return markdown;
    case 'plain':
      return markdown
        .replace(LINK, '$1 ($2)')
        .replace(/\*\*([^*]+)\*\*/g, '$1')
        .replace(/(^|\W)_([^_]+)_(?=\W|$)/g, '$1$2');
    case 'slack-mrkdwn':
      return markdown
        .replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!)
        .replace(LINK, '<$2|$1>')
        .replace(/\*\*([^*]+)\*\*/g, '*$1*');
    case 'html':
      return markdown
        .replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)
        .replace(LINK, '<a href="$2">$1</a>')
        .replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>')
        .replace(/\n/g, '<br>');
  }
}

/** Splits at the last paragraph break, else line break, else space before the limit; hard-cuts only as a last resort. */
export function splitText(text: string, max: number): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let cut = window.lastIndexOf('\n\n');
    if (cut < max / 3) cut = window.lastIndexOf('\n');
    if (cut < max / 3) cut = window.lastIndexOf(' ');
    if (cut < max / 3) cut = max;
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks;
}
