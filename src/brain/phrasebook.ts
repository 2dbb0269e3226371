/**
 * Everything the bot says in its own words, per language. A customer gets every bot sentence of a reply (hand-over,
 * queue status, off-topic, clarifying, button labels, after-hours note) in one language: a book is complete or it
 * is not offered (`phrasesFor` falls back to English only for languages without a book).
 *
 * The knowledge base's own text is never translated here. Team and topic names come from the admin's files and are
 * quoted as names.
 */
export interface Phrasebook {
  /** The built-in AI disclosure (AI_DISCLOSURE's default), above a conversation's first bot reply. */
  disclosure: string;
  handoff: string;
  optOut: string;
  optedOut: string;
  abstain: string;
  /** The hand-over when the help centre cannot answer in the customer's language. */
  handoffForeign: string;
  upset: string;
  urgent: string;
  policy: string;
  repeated: string;
  thanksForRating: string;
  sorryUnhelpful: string;
  alreadyQueued: string;
  talkToPerson: string;
  helpful: string;
  notHelpful: string;
  /** "Monday at 09:00 (Europe/Berlin)"; `day` undefined: later today. */
  opening(day: string | undefined, time: string, timezone: string): string;
  afterHours(team: string, backAt: string): string;
  /** Off-topic: what the assistant is for; `topics` from the knowledge base, or none. */
  offTopic(topics: string[]): string;
  /** After a hand-off. */
  queuedWith(team: string): string;
  queuePosition(position: number): string;
  usualWait(wait: string): string;
  minutes(n: number): string;
  hours(n: number): string;
  teamClosed(team: string, backAt: string): string;
  addedToConversation: string;
  /** The customer took back the request for a person. */
  withdrawn: string;
  locale: string;
}

const list = (items: string[], and: string): string => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${and} ${items[items.length - 1]}`);
const ordinalEn = (n: number): string => {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix}`;
};

const EN: Phrasebook = {
  disclosure: 'I\'m Switchboard, an AI assistant. Type "human" at any time to reach a person.',
  locale: 'en-GB',
  handoff: "Of course — I'm handing you over to a member of our team. They'll reply here.",
  optOut: "Understood — I won't answer you automatically again. A member of our team will reply here.",
  optedOut: 'Thanks for your message — a member of our team will reply here.',
  abstain: "I'm sorry, I don't have a reliable answer to that in our help centre, and I'd rather not guess. I'm passing your question to a member of our team.",
  handoffForeign: "Thanks for your message! I'm passing your request to our team; a colleague will reply here.",
  upset: "I'm sorry about this — I can see it's frustrating. I'm bringing in a member of our team to sort it out with you.",
  urgent: "I understand this is urgent. I'm passing it straight to a member of our team.",
  policy: "I'm passing this to a member of our team, who can take care of it properly.",
  repeated: "I'm sorry my answers haven't helped. I'm handing you over to a member of our team.",
  thanksForRating: 'Thanks for the feedback!',
  sorryUnhelpful: "Sorry that didn't help. Could you tell me a bit more, or would you like to talk to a person?",
  alreadyQueued: 'Your conversation is already with our team; they will reply here.',
  talkToPerson: 'Talk to a person',
  helpful: '👍 Helpful',
  notHelpful: '👎 Not helpful',
  opening: (day, time, tz) => `${day ?? 'today'} at ${time} (${tz})`,
  afterHours: (team, backAt) => `Our ${team} team is back ${backAt}. I've passed your conversation on so they see it first thing; until then I'm happy to keep helping — just ask.`,
  offTopic: (topics) =>
    topics.length
      ? `I'm afraid I can't help with that — I'm this shop's support assistant. I can help with questions about ${list(topics, 'and')}, or pass you to a person.`
      : "I'm afraid I can't help with that — I'm this shop's support assistant, here for questions about your orders and our service, or to pass you to a person.",
  queuedWith: (team) => `A person from ${team} will reply here.`,
  queuePosition: (n) => (n <= 1 ? "You're next in the queue" : `You're ${ordinalEn(n)} in the queue`),
  usualWait: (wait) => `usually within ${wait}`,
  minutes: (n) => `${n} minutes`,
  hours: (n) => (n === 1 ? 'an hour' : `${n} hours`),
  teamClosed: (team, backAt) => `The ${team} team is back ${backAt}, and will see your conversation first thing.`,
  addedToConversation: "Thanks — I've added this to your conversation for the team.",
  withdrawn: "Okay — I've told the team you no longer need them. I'm here if there's anything else.",
};

const DE: Phrasebook = {
  disclosure: 'Ich bin Switchboard, ein KI-Assistent. Schreiben Sie jederzeit „human“, um einen Menschen zu erreichen.',
  locale: 'de-DE',
  handoff: 'Gern — ich übergebe Sie an eine Kollegin oder einen Kollegen aus unserem Team. Sie erhalten die Antwort hier.',
  optOut: 'Verstanden — ich antworte Ihnen nicht mehr automatisch. Eine Kollegin oder ein Kollege aus unserem Team antwortet Ihnen hier.',
  optedOut: 'Danke für Ihre Nachricht — eine Kollegin oder ein Kollege aus unserem Team antwortet Ihnen hier.',
  abstain: 'Dazu habe ich leider keine verlässliche Antwort in unserem Hilfe-Center, und ich möchte nicht raten. Ich gebe Ihre Frage an unser Team weiter.',
  handoffForeign: 'Danke für Ihre Nachricht! Ich gebe Ihr Anliegen an unser Team weiter; eine Kollegin oder ein Kollege antwortet Ihnen hier.',
  upset: 'Das tut mir leid — ich verstehe, dass das ärgerlich ist. Ich hole eine Kollegin oder einen Kollegen aus unserem Team dazu, um das mit Ihnen zu klären.',
  urgent: 'Ich verstehe, dass es eilig ist. Ich gebe Ihr Anliegen sofort an unser Team weiter.',
  policy: 'Ich gebe das an unser Team weiter, damit sich jemand richtig darum kümmern kann.',
  repeated: 'Es tut mir leid, dass meine Antworten nicht geholfen haben. Ich übergebe Sie an unser Team.',
  thanksForRating: 'Danke für Ihr Feedback!',
  sorryUnhelpful: 'Schade, dass das nicht geholfen hat. Können Sie mir etwas mehr dazu sagen, oder möchten Sie mit einem Menschen sprechen?',
  alreadyQueued: 'Ihr Anliegen liegt bereits bei unserem Team; Sie erhalten die Antwort hier.',
  talkToPerson: 'Mit einem Menschen sprechen',
  helpful: '👍 Hilfreich',
  notHelpful: '👎 Nicht hilfreich',
  opening: (day, time, tz) => `${day ?? 'heute'} um ${time} Uhr (${tz})`,
  afterHours: (team, backAt) =>
    `Unser Team „${team}“ ist ${backAt} wieder da. Ich habe Ihr Anliegen weitergegeben, damit es dort als Erstes gesehen wird; bis dahin helfe ich gern weiter — fragen Sie einfach.`,
  offTopic: () => 'Dabei kann ich leider nicht helfen — ich bin der Kundenservice-Assistent dieses Shops und beantworte Fragen zu Ihren Bestellungen und unserem Service, oder verbinde Sie mit einem Menschen.',
  queuedWith: (team) => `Eine Kollegin oder ein Kollege aus dem Team „${team}“ antwortet Ihnen hier.`,
  queuePosition: (n) => (n <= 1 ? 'Sie sind als Nächstes an der Reihe' : `Sie sind an ${n}. Stelle in der Warteschlange`),
  usualWait: (wait) => `in der Regel innerhalb von ${wait}`,
  minutes: (n) => `${n} Minuten`,
  hours: (n) => (n === 1 ? 'einer Stunde' : `${n} Stunden`),
  teamClosed: (team, backAt) => `Das Team „${team}“ ist ${backAt} wieder da und sieht Ihr Anliegen dann als Erstes.`,
  addedToConversation: 'Danke — ich habe das für unser Team zu Ihrem Anliegen hinzugefügt.',
  withdrawn: 'Alles klar — ich habe dem Team Bescheid gegeben, dass Sie keine Hilfe mehr brauchen. Ich bin hier, falls noch etwas ist.',
};

const FR: Phrasebook = {
  disclosure: "Je suis Switchboard, un assistant IA. Écrivez « human » à tout moment pour parler à une personne.",
  locale: 'fr-FR',
  handoff: "Bien sûr — je vous mets en relation avec un membre de notre équipe. Il vous répondra ici.",
  optOut: "C'est noté — je ne vous répondrai plus automatiquement. Un membre de notre équipe vous répondra ici.",
  optedOut: 'Merci pour votre message — un membre de notre équipe vous répondra ici.',
  abstain: "Je suis désolé, je n'ai pas de réponse fiable à cette question dans notre centre d'aide, et je préfère ne pas deviner. Je transmets votre question à notre équipe.",
  handoffForeign: 'Merci pour votre message ! Je transmets votre demande à notre équipe ; un conseiller vous répondra ici.',
  upset: "Je suis désolé — je comprends que ce soit frustrant. Je fais appel à un membre de notre équipe pour régler cela avec vous.",
  urgent: "Je comprends que c'est urgent. Je transmets immédiatement votre demande à notre équipe.",
  policy: "Je transmets votre demande à un membre de notre équipe, qui pourra s'en occuper correctement.",
  repeated: "Je suis désolé que mes réponses ne vous aient pas aidé. Je vous mets en relation avec notre équipe.",
  thanksForRating: 'Merci pour votre retour !',
  sorryUnhelpful: "Désolé, cela ne vous a pas aidé. Pouvez-vous m'en dire un peu plus, ou souhaitez-vous parler à une personne ?",
  alreadyQueued: 'Votre demande est déjà entre les mains de notre équipe ; elle vous répondra ici.',
  talkToPerson: 'Parler à une personne',
  helpful: '👍 Utile',
  notHelpful: '👎 Pas utile',
  opening: (day, time, tz) => `${day ?? "aujourd'hui"} à ${time} (${tz})`,
  afterHours: (team, backAt) =>
    `Notre équipe « ${team} » sera de retour ${backAt}. Je lui ai transmis votre demande pour qu'elle la voie en premier ; d'ici là, je reste à votre disposition — n'hésitez pas.`,
  offTopic: () => "Je ne peux malheureusement pas vous aider sur ce point — je suis l'assistant du service client de cette boutique : je réponds aux questions sur vos commandes et nos services, ou je vous mets en relation avec une personne.",
  queuedWith: (team) => `Un membre de l'équipe « ${team} » vous répondra ici.`,
  queuePosition: (n) => (n <= 1 ? "Vous êtes le prochain dans la file d'attente" : `Vous êtes en ${n}e position dans la file d'attente`),
  usualWait: (wait) => `en général sous ${wait}`,
  minutes: (n) => `${n} minutes`,
  hours: (n) => (n === 1 ? 'une heure' : `${n} heures`),
  teamClosed: (team, backAt) => `L'équipe « ${team} » sera de retour ${backAt} et verra votre demande en premier.`,
  addedToConversation: "Merci — j'ai ajouté ceci à votre demande pour notre équipe.",
  withdrawn: "C'est noté — j'ai prévenu l'équipe que vous n'avez plus besoin d'aide. Je reste là si besoin.",
};

const ES: Phrasebook = {
  disclosure: 'Soy Switchboard, un asistente de IA. Escriba «human» en cualquier momento para hablar con una persona.',
  locale: 'es-ES',
  handoff: 'Por supuesto — le paso con una persona de nuestro equipo. Le responderá aquí.',
  optOut: 'Entendido — no volveré a responderle automáticamente. Una persona de nuestro equipo le responderá aquí.',
  optedOut: 'Gracias por su mensaje — una persona de nuestro equipo le responderá aquí.',
  abstain: 'Lo siento, no tengo una respuesta fiable a eso en nuestro centro de ayuda y prefiero no adivinar. Paso su pregunta a nuestro equipo.',
  handoffForeign: '¡Gracias por su mensaje! Paso su consulta a nuestro equipo; una persona le responderá aquí.',
  upset: 'Lo siento mucho — entiendo que es frustrante. Voy a pedir a una persona de nuestro equipo que lo resuelva con usted.',
  urgent: 'Entiendo que es urgente. Paso su consulta directamente a nuestro equipo.',
  policy: 'Paso esto a una persona de nuestro equipo, que podrá ocuparse de ello como corresponde.',
  repeated: 'Siento que mis respuestas no le hayan ayudado. Le paso con nuestro equipo.',
  thanksForRating: '¡Gracias por su opinión!',
  sorryUnhelpful: 'Siento que no le haya ayudado. ¿Puede contarme un poco más, o prefiere hablar con una persona?',
  alreadyQueued: 'Su consulta ya está con nuestro equipo; le responderán aquí.',
  talkToPerson: 'Hablar con una persona',
  helpful: '👍 Útil',
  notHelpful: '👎 No es útil',
  opening: (day, time, tz) => `${day ? `el ${day}` : 'hoy'} a las ${time} (${tz})`,
  afterHours: (team, backAt) =>
    `Nuestro equipo «${team}» vuelve ${backAt}. Ya les he pasado su consulta para que la vean lo primero; mientras tanto, con gusto sigo ayudándole — solo pregunte.`,
  offTopic: () => 'Me temo que no puedo ayudarle con eso — soy el asistente de atención al cliente de esta tienda: respondo preguntas sobre sus pedidos y nuestro servicio, o le paso con una persona.',
  queuedWith: (team) => `Una persona del equipo «${team}» le responderá aquí.`,
  queuePosition: (n) => (n <= 1 ? 'Es el siguiente en la cola' : `Está en la posición ${n} de la cola`),
  usualWait: (wait) => `normalmente en menos de ${wait}`,
  minutes: (n) => `${n} minutos`,
  hours: (n) => (n === 1 ? 'una hora' : `${n} horas`),
  teamClosed: (team, backAt) => `El equipo «${team}» vuelve ${backAt} y verá su consulta lo primero.`,
  addedToConversation: 'Gracias — he añadido esto a su consulta para nuestro equipo.',
  withdrawn: 'De acuerdo — he avisado al equipo de que ya no necesita ayuda. Aquí sigo si necesita algo más.',
};

const NL: Phrasebook = {
  disclosure: 'Ik ben Switchboard, een AI-assistent. Typ op elk moment „human” om een medewerker te spreken.',
  locale: 'nl-NL',
  handoff: 'Natuurlijk — ik verbind u door met een collega van ons team. U krijgt hier antwoord.',
  optOut: 'Begrepen — ik antwoord u niet meer automatisch. Een collega van ons team antwoordt u hier.',
  optedOut: 'Bedankt voor uw bericht — een collega van ons team antwoordt u hier.',
  abstain: 'Het spijt me, daar heb ik in ons helpcentrum geen betrouwbaar antwoord op, en ik gok liever niet. Ik geef uw vraag door aan ons team.',
  handoffForeign: 'Bedankt voor uw bericht! Ik geef uw vraag door aan ons team; een collega antwoordt u hier.',
  upset: 'Het spijt me — ik begrijp dat dit vervelend is. Ik vraag een collega van ons team om dit met u op te lossen.',
  urgent: 'Ik begrijp dat het dringend is. Ik geef het meteen door aan ons team.',
  policy: 'Ik geef dit door aan een collega van ons team, die het goed kan afhandelen.',
  repeated: 'Het spijt me dat mijn antwoorden niet hebben geholpen. Ik verbind u door met ons team.',
  thanksForRating: 'Bedankt voor uw feedback!',
  sorryUnhelpful: 'Jammer dat dat niet hielp. Kunt u iets meer vertellen, of wilt u liever met een medewerker praten?',
  alreadyQueued: 'Uw vraag ligt al bij ons team; u krijgt hier antwoord.',
  talkToPerson: 'Met een medewerker praten',
  helpful: '👍 Nuttig',
  notHelpful: '👎 Niet nuttig',
  opening: (day, time, tz) => `${day ?? 'vandaag'} om ${time} (${tz})`,
  afterHours: (team, backAt) =>
    `Ons team „${team}” is ${backAt} weer bereikbaar. Ik heb uw vraag doorgegeven zodat ze die als eerste zien; tot dan help ik u graag verder — vraag het gerust.`,
  offTopic: () => 'Daar kan ik helaas niet mee helpen — ik ben de klantenservice-assistent van deze winkel: ik beantwoord vragen over uw bestellingen en onze service, of verbind u door met een medewerker.',
  queuedWith: (team) => `Een collega van het team „${team}” antwoordt u hier.`,
  queuePosition: (n) => (n <= 1 ? 'U bent als volgende aan de beurt' : `U bent de ${n}e in de wachtrij`),
  usualWait: (wait) => `meestal binnen ${wait}`,
  minutes: (n) => `${n} minuten`,
  hours: (n) => (n === 1 ? 'een uur' : `${n} uur`),
  teamClosed: (team, backAt) => `Het team „${team}” is ${backAt} weer bereikbaar en ziet uw vraag dan als eerste.`,
  addedToConversation: 'Bedankt — ik heb dit voor ons team aan uw vraag toegevoegd.',
  withdrawn: 'Prima — ik heb het team laten weten dat u geen hulp meer nodig hebt. Ik ben er als er nog iets is.',
};

const BOOKS: Record<string, Phrasebook> = { en: EN, de: DE, fr: FR, es: ES, nl: NL };

/**
 * Languages with no full book yet: only the hand-over is said in them, and every other reply of a hand-over turn
 * is that sentence alone (never English beside it).
 */
const HANDOFF_ONLY: Record<string, string> = {
  it: 'Grazie per il messaggio! Passo la sua richiesta al nostro team; un collega le risponderà qui.',
  pt: 'Obrigado pela sua mensagem! Vou passar o seu pedido à nossa equipa; um colega responder-lhe-á aqui.',
};

/** The built-in disclosure in the languages without a full book, so their first reply is not half English. */
const DISCLOSURE_ONLY: Record<string, string> = {
  it: 'Sono Switchboard, un assistente IA. Scriva «human» in qualsiasi momento per parlare con una persona.',
  pt: 'Sou o Switchboard, um assistente de IA. Escreva «human» a qualquer momento para falar com uma pessoa.',
};

export function disclosureSentence(language: string | undefined): string | undefined {
  return language ? (BOOKS[language]?.disclosure ?? DISCLOSURE_ONLY[language]) : undefined;
}

export const ENGLISH = EN;

/** The book for a language, or undefined when there is none (the caller then keeps to the hand-over sentence). */
export function phrasebook(language: string | undefined): Phrasebook | undefined {
  return BOOKS[language ?? 'en'];
}

/** The hand-over sentence in the customer's language, for every language with one. */
export function handoffSentence(language: string | undefined): string | undefined {
  return language ? (BOOKS[language]?.handoffForeign ?? HANDOFF_ONLY[language]) : undefined;
}

export const BOOK_LANGUAGES = Object.keys(BOOKS);
