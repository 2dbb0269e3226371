import EmailReplyParser from 'email-reply-parser';

/**
 * The customer's own words in a mail body: quoted history and signature removed (the full text stays in `raw`).
 *
 * Decisions (docs/decisions.md, "Email (issue #5)"):
 *  1. Quote headers: "On … wrote:" and its forms in other languages and mail clients (Gmail, Outlook, Apple Mail,
 *     Thunderbird: "Am … schrieb …:", "Le … a écrit :", "El … escribió:", "Op … schreef …:", "… пользователь …
 *     написал:", Gmail's verb-less "вт, 24 нояб. 2026 г. в 10:00, Name <a@b>:", …), also wrapped over two or three
 *     lines; Outlook's header block ("From:/Von:/De:/От:…" then "Sent:/Gesendet:/Envoyé:/Отправлено:…"); and
 *     "-----Original Message-----" separators in their languages. A line counts as a header only when it carries a
 *     date, a time or an address, so a customer writing "here is what you wrote:" keeps their words.
 *  2. A header above unprefixed text (Outlook, most HTML mail) starts the history: everything from it on goes
 *     (with the rule drawn above it). A header above ">" lines only introduces that quote: it goes with the quote.
 *  3. Lines starting with ">" are quotes. Unprefixed lines right under a quoted line (no blank line between) are a
 *     long quoted line the sender's client wrapped without repeating the ">" when the quoted line stopped
 *     mid-sentence, or when they run straight into the next quoted line (no blank line after either).
 *  4. Everything else is the customer's: an inline reply between quoted lines or a reply below the quote keeps the
 *     customer's lines in order, without the quoted questions (the conversation holds them as our earlier message).
 *  5. The signature goes (email-reply-parser's rules: "-- ", "Sent from my …", …).
 */
export function visibleText(text: string): string {
  const own = withoutQuotes(beforeHistory(text.replace(/\r\n?/g, '\n').split('\n'))).join('\n');
  let visible: string;
  try {
    visible = new EmailReplyParser().parseReply(own);
  } catch {
    visible = own;
  }
  return visible.replace(/\n{3,}/g, '\n\n').trim();
}

/** "wrote:" in the languages mail clients write it, at the end of a quote header (":" or "：" optional). */
const WROTE =
  /(?:wrote|writes|schrieb|schreibt|schreef|schrijft|a\s+écrit|écrit|escribió|escribio|ha\s+scritto|scritto|scrisse|escreveu|napisał\(a\)|napisała?|napisal|pisze|skrev|skriver|skrivit|kirjoitti|написал\(а\)|написала?|пишет|написав|написа|napsal\(a\)|napsala?|napísal|írta|yazdı|έγραψε|a\s+scris|写道|寫道|작성|のメッセージ)\s*[:：]?\s*$/i;

/** An address in a header: "<a@b>", "[a@b]", "(a@b)" or a bare "a@b". */
const ADDRESS = /[<[(]?[^\s<>[\]()]+@[^\s<>[\]()]+[>\])]?/;
const TIME = /\b\d{1,2}[:.h]\d{2}\b/;

/** Outlook's header block: a "From:" line, then within a few lines a "Sent:" or "Date:" line (localized). */
const OUTLOOK_FROM = /^\s*\**\s*(?:from|von|de|da|van|od|från|fra|frá|от|від|lähettäjä|kimden|feladó|από|afzender|mittente|remetente|expéditeur|发件人|寄件者|差出人|보낸\s*사람)\s*\**\s*[:：]/i;
const OUTLOOK_SENT =
  /^\s*\**\s*(?:sent|date|gesendet|datum|envoyé|date\s+d'envoi|enviado|enviada|fecha|inviato|data|verzonden|skickat|sendt|wysłano|отправлено|дата|надіслано|odesláno|lähetetty|gönderildi|tarih|elküldve|ημερομηνία|发送时间|日期|送信日時|보낸\s*날짜|verstuurd)\s*\**\s*[:：]/i;

/** Separators clients put above the quoted message ("-----Original Message-----", Outlook's underscore line…). */
const SEPARATOR =
  /^\s*(?:-{2,}\s*(?:original\s+message|ursprüngliche\s+nachricht|message\s+d'origine|mensaje\s+original|oorspronkelijk\s+bericht|origineel\s+bericht|messaggio\s+originale|mensagem\s+original|исходное\s+сообщение|оригинальное\s+сообщение|wiadomość\s+oryginalna|oryginalna\s+wiadomość|ursprungligt\s+meddelande|oprindelig\s+meddelelse|opprinnelig\s+melding|alkuperäinen\s+viesti|původní\s+zpráva|eredeti\s+üzenet|orijinal\s+ileti)\s*-{2,}|_{10,})\s*$/i;

/** Rules 1 and 2: the lines before the history, without the headers that only introduce a ">" quote. */
function beforeHistory(lines: string[]): string[] {
  const own: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const span = headerSpan(lines, i);
    if (span === 0) {
      own.push(lines[i]!);
      continue;
    }
    const next = lines.slice(i + span).find((l) => l.trim());
    if (span > 0 && next !== undefined && isQuoted(next)) {
      i += span - 1;
      continue;
    }
    // Unprefixed history (or a separator / Outlook block): cut here, with the rule Outlook draws above it.
    while (own.length && !own[own.length - 1]!.trim()) own.pop();
    if (own.length && /^\s*[-_=—]{10,}\s*$/.test(own[own.length - 1]!)) own.pop();
    return own;
  }
  return own;
}

/**
 * How many lines the quote header starting at line `i` spans (up to three: clients wrap long headers), 0 for none;
 * -1 for a separator or an Outlook header block, which always start the history.
 */
function headerSpan(lines: string[], i: number): number {
  const line = lines[i]!;
  if (!line.trim() || isQuoted(line)) return 0;
  if (SEPARATOR.test(line)) return -1;
  if (OUTLOOK_FROM.test(line) && lines.slice(i + 1, i + 6).some((l) => OUTLOOK_SENT.test(l))) return -1;
  let joined = '';
  for (let j = i; j < Math.min(i + 3, lines.length); j++) {
    const next = lines[j]!;
    if (!next.trim() || isQuoted(next)) break;
    joined = joined ? `${joined} ${next.trim()}` : next.trim();
    if (joined.length > 300) break;
    if (isQuoteHeader(joined)) return j - i + 1;
  }
  return 0;
}

function isQuoteHeader(line: string): boolean {
  // A date, a time or an address: a customer's "here is what you wrote:" has none of them.
  if (WROTE.test(line)) return ADDRESS.test(line) || TIME.test(line) || /\d/.test(line);
  // Gmail in Russian, Japanese, Korean… has no verb: "<date, time>, Name <a@b>:".
  return /[>\])]\s*[:：]\s*$/.test(line) && ADDRESS.test(line) && /\d/.test(line);
}

function isQuoted(line: string): boolean {
  return /^\s*>/.test(line);
}

/** Rules 3 and 4: quoted lines and their wrapped continuations go, the customer's lines between them stay. */
function withoutQuotes(lines: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (isQuoted(line)) continue;
    if (line.trim() && i > 0 && isQuoted(lines[i - 1]!)) {
      // The unprefixed run right under a quoted line, up to the next blank or quoted line.
      let end = i;
      while (end < lines.length && lines[end]!.trim() && !isQuoted(lines[end]!)) end++;
      const intoQuote = end < lines.length && isQuoted(lines[end]!);
      if (intoQuote || continuesQuote(unquote(lines[i - 1]!))) {
        i = end - 1;
        continue;
      }
    }
    kept.push(line);
  }
  return dropBareIntroductions(kept, lines);
}

function unquote(line: string): string {
  return line.replace(/^(\s*>)+\s?/, '');
}

/**
 * "Shop Support wrote:" (older Thunderbird, forums) carries no date or address, so it is no header by rule 1; right
 * above a quote it introduces that quote and goes with it.
 */
function dropBareIntroductions(kept: string[], all: string[]): string[] {
  const drop = new Set<string>();
  for (let i = 0; i < all.length; i++) {
    if (isQuoted(all[i]!) || !WROTE.test(all[i]!.trim())) continue;
    const next = all.slice(i + 1).find((l) => l.trim());
    if (next !== undefined && isQuoted(next)) drop.add(all[i]!);
  }
  return drop.size ? kept.filter((l) => !drop.has(l)) : kept;
}

/** A wrapped line: the quoted line stopped mid-sentence (a client wraps long lines at a word, not at a full stop). */
function continuesQuote(quoted: string): boolean {
  return quoted.trim() !== '' && !/[.!?:;。！？)"»”]\s*$/.test(quoted);
}
