import EmailReplyParser from 'email-reply-parser';

/**
 * The customer's own words in a mail body: quoted history and signature removed (the full text stays in `raw`).
 *
 * Decisions (docs/decisions.md, "Email quotes"):
 *  1. Everything from the first quote header on is history: "On … wrote:" and its forms in other languages and
 *     mail clients (Gmail, Outlook, Apple Mail, Thunderbird: "Am … schrieb …:", "Le … a écrit :", "El … escribió:",
 *     "Op … schreef …:", "… пользователь … написал:", Gmail's verb-less "вт, 24 нояб. 2026 г. в 10:00, Name <a@b>:",
 *     …), also when the client wrapped it over two or three lines; Outlook's header block ("From:/Von:/De:/От:…"
 *     followed by "Sent:/Gesendet:/Envoyé:/Отправлено:…"); and "-----Original Message-----" separators in their
 *     languages. A header only counts as one when it looks like one (a starter word, an address or a time), so a
 *     customer writing "here is what you wrote:" keeps their words.
 *  2. Without a header, lines starting with ">" are quotes. A line right under a quoted line, with no blank line in
 *     between, continues that quote when the quoted line did not end a sentence or the line starts in lower case:
 *     that is a long quoted line the sender's client wrapped without repeating the ">".
 *  3. Inline replies (a customer answering between quoted lines, separated by blank lines or starting a new
 *     sentence) keep the customer's lines, in order; the quoted questions are left out (the conversation holds
 *     them as our earlier message).
 *  4. The signature goes (email-reply-parser's rules: "-- ", "Sent from my …", …).
 */
export function visibleText(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const cut = firstHistoryLine(lines);
  const own = withoutQuotes(cut === -1 ? lines : lines.slice(0, cut)).join('\n');
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

/** The header, or the rule above it (Outlook's HTML `<hr>` becomes a line of dashes) with the blank lines between. */
function firstHistoryLine(lines: string[]): number {
  const header = firstHeaderLine(lines);
  if (header <= 0) return header;
  let above = header - 1;
  while (above > 0 && !lines[above]!.trim()) above--;
  return /^\s*[-_=—]{10,}\s*$/.test(lines[above]!) ? above : header;
}

function firstHeaderLine(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim() || isQuoted(line)) continue;
    if (SEPARATOR.test(line)) return i;
    if (OUTLOOK_FROM.test(line) && lines.slice(i + 1, i + 6).some((l) => OUTLOOK_SENT.test(l))) return i;
    // The header may be wrapped over up to three lines by the sender's client ("… Shop Support <\nsupport@… wrote:").
    let joined = '';
    for (let j = i; j < Math.min(i + 3, lines.length); j++) {
      const next = lines[j]!;
      if (!next.trim() || isQuoted(next)) break;
      joined = joined ? `${joined} ${next.trim()}` : next.trim();
      if (joined.length > 300) break;
      if (isQuoteHeader(joined)) return i;
    }
  }
  return -1;
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

/** Rule 2 and 3 above: quoted lines and their wrapped continuations go, the customer's lines between them stay. */
function withoutQuotes(lines: string[]): string[] {
  const kept: string[] = [];
  let inQuote = false;
  let lastQuoted = '';
  for (const line of lines) {
    if (isQuoted(line)) {
      inQuote = true;
      lastQuoted = line.replace(/^(\s*>)+\s?/, '');
      continue;
    }
    if (inQuote && line.trim() && continuesQuote(lastQuoted)) {
      lastQuoted = line;
      continue;
    }
    inQuote = false;
    kept.push(line);
  }
  return dropBareIntroductions(kept, lines);
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
