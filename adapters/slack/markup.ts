/**
 * Slack message text → the words a person reads (https://api.slack.com/reference/surfaces/formatting#retrieving-messages).
 * Slack sends links, mentions and special commands as `<…>` tokens and escapes only `&`, `<` and `>`; the brain
 * and the desk get the readable form, the raw text stays in the event's `raw`:
 *  - `<https://x|label>` → `label (https://x)` (`label` alone when it is the address), `<https://x>` → `https://x`,
 *    `<mailto:a@b.c|a@b.c>` → `a@b.c`;
 *  - `<@U123>` → removed when it is our bot, `@name` with the legacy `|name`, else `@U123` (names need a
 *    users.info call per person, which a pure parser cannot make; the id still tells people apart);
 *  - `<#C123|general>` → `#general`; `<!here>`, `<!channel>`, `<!everyone>` → `@here`…;
 *    `<!subteam^S123|@team>` → `@team`; `<!date^…|fallback>` → the fallback (the date itself without one).
 */
export function slackToPlain(text: string, ownUsers: ReadonlySet<string | undefined> = new Set()): string {
  // One pass, so an entity inside a token is decoded once (by the token) and a decoded `<` never starts a token.
  const converted = text.replace(/<([^<>]*)>|&(lt|gt|amp);/g, (_whole, inner: string | undefined, entity: string | undefined) =>
    inner !== undefined ? token(inner, ownUsers) : ENTITIES[entity!]!,
  );
  return converted
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/^[ \t]+|[ \t]+$/gm, '');
}

function token(inner: string, ownUsers: ReadonlySet<string | undefined>): string {
  const bar = inner.indexOf('|');
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? undefined : inner.slice(bar + 1);
  switch (target[0]) {
    case '@': {
      const id = target.slice(1);
      if (ownUsers.has(id)) return '';
      return `@${label?.replace(/^@/, '') || id}`;
    }
    case '#':
      return `#${label?.replace(/^#/, '') || target.slice(1)}`;
    case '!':
      return special(target.slice(1), label);
    default:
      return link(target, label);
  }
}

function special(command: string, label: string | undefined): string {
  const [name, ...args] = command.split('^');
  if (name === 'here' || name === 'channel' || name === 'everyone') return `@${name}`;
  if (name === 'subteam') return label ? `@${label.replace(/^@/, '')}` : `@${args[0] ?? 'team'}`;
  if (name === 'date') {
    if (label) return label;
    const seconds = Number(args[0]);
    return Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : '';
  }
  return label ?? `@${name}`;
}

function link(url: string, label: string | undefined): string {
  const address = decodeEntities(url);
  const shown = address.replace(/^mailto:|^tel:/i, '');
  if (!label) return shown;
  const readable = decodeEntities(label);
  const bare = (s: string) => s.replace(/^(https?:\/\/|mailto:|tel:)/i, '').replace(/\/$/, '').toLowerCase();
  return bare(readable) === bare(address) ? readable : `${readable} (${shown})`;
}

/** Slack escapes only these three in message text. */
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&' };

function decodeEntities(text: string): string {
  return text.replace(/&(lt|gt|amp);/g, (_whole, name: string) => ENTITIES[name]!);
}
