import type { Connection } from 'mongoose';
import { proposalId, recordProposal, type ProposalRecord } from '../../knowledge/proposals';
import type { ConversationRecord, MessageRecord } from '../../conversations/types';
import { redactPii } from '../brain/entities';

/**
 * Learning from agents: an agent's typed reply in an escalated conversation, together with the customer's
 * question(s) it answers, becomes a *proposed* knowledge entry (knowledge/proposals). It is inert until an admin
 * approves it (`switchboard knowledge approve`).
 *
 * What counts:
 *  - the answer: an agent's own reply to the customer (not an internal note, not the bot's suggestion sent with
 *    a button — that already came from the knowledge base) with at least MIN_ANSWER_WORDS content words, so
 *    holding replies and pleasantries ("Hi! Let me check, one moment please") never become knowledge;
 *  - the question: the customer's messages up to the latest one, back to the agent's previous answer (or to the
 *    start of the conversation), at most MAX_QUESTION_MESSAGES of the latest, each with at least MIN_QUESTION_WORDS
 *    content words (a bare "hi" or "hello?" is not a question), button taps and machine mail left out. No
 *    question: nothing is proposed.
 * Personal data (e-mail, phone, card, IBAN) is replaced by typed placeholders in both before anything is stored.
 * An agent answering in several messages (no customer message in between) adds them to the same proposal while it
 * is still proposed: the proposal is keyed by the conversation and the last customer message of the question.
 */
export const MIN_ANSWER_WORDS = 5;
export const MIN_QUESTION_WORDS = 2;
export const MAX_QUESTION_MESSAGES = 3;

export interface AgentAnswer {
  conversation: ConversationRecord;
  /** The conversation's messages, oldest first, up to and including the agent's reply (`history` of the store). */
  history: MessageRecord[];
  agent: { id: string; name: string };
  text: string;
  /** The outbox key of the agent's reply: the same platform event always has the same key. */
  answerKey: string;
  now: Date;
}

/** Stores the proposal for an agent's reply, or returns undefined when the reply or its question does not qualify. */
export async function proposeFromAgentAnswer(connection: Connection, input: AgentAnswer): Promise<ProposalRecord | undefined> {
  if (!input.conversation.escalatedAt) return undefined; // never handed over: nothing the bot failed to answer
  if (contentWords(input.text) < MIN_ANSWER_WORDS) return undefined;
  const questions = questionMessages(input.history, input.answerKey);
  if (questions.length === 0) return undefined;
  const last = questions[questions.length - 1]!;
  const question = redactPii(questions.map((m) => m.text.trim()).join('\n')).text;
  const answer = redactPii(input.text.trim()).text;
  const stored = await recordProposal(connection, {
    id: proposalId(String(input.conversation._id), String(last._id)),
    question,
    answer,
    answerKey: input.answerKey,
    conversationId: String(input.conversation._id),
    agent: input.agent,
    ...(input.conversation.team ? { team: input.conversation.team } : {}),
    now: input.now,
  });
  return stored ?? undefined;
}

/**
 * The customer messages the reply keyed `answerKey` answers (see the module comment): the latest qualifying
 * customer message, and those before it back to the agent's previous answer. An agent's further messages with no
 * customer message in between find the same question, so they join the same proposal.
 */
export function questionMessages(history: MessageRecord[], answerKey: string): MessageRecord[] {
  const at = history.findIndex((m) => m.dedupeKey === answerKey);
  const before = at >= 0 ? history.slice(0, at) : history;
  let last = before.length - 1;
  while (last >= 0 && !isQuestion(before[last]!)) last--;
  if (last < 0) return [];
  let start = 0;
  for (let i = last - 1; i >= 0; i--) {
    const m = before[i]!;
    // Only an earlier *answer* closes the previous question: a holding reply ("let me check") does not.
    if (m.direction === 'outbound' && m.author.kind === 'agent' && !m.internal && contentWords(m.text) >= MIN_ANSWER_WORDS) {
      start = i + 1;
      break;
    }
  }
  return before.slice(start, last + 1).filter(isQuestion).slice(-MAX_QUESTION_MESSAGES);
}

function isQuestion(m: MessageRecord): boolean {
  return m.direction === 'inbound' && m.author.kind === 'contact' && !m.automated && m.actionValue === undefined && contentWords(m.text) >= MIN_QUESTION_WORDS;
}

/**
 * Words that carry content: greetings, thanks, filler and function words do not count. English only (the help
 * centre's language); a reply in another language counts all its words, which errs towards proposing, and the
 * admin reviews every proposal anyway.
 */
export function contentWords(text: string): number {
  const words = text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? [];
  return words.filter((w) => !FILLER.has(w.replace(/['’]s$/, ''))).length;
}

const FILLER = new Set(
  (
    'hi hey hello hallo dear good morning afternoon evening thanks thank thx ty you your yours welcome please pls ok okay ' +
    'sure great cheers bye goodbye regards best kind yes no yeah yep nope sorry apologies moment minute second sec ' +
    'let me us i i\'m im we we\'re a an the and or but so to of for in on at is are was be been it it\'s its that this ' +
    'just check checking look looking into will can could would should do does did have has had there here what how ' +
    'my our with from as up out one now again still anything else help glad happy wait hold on'
  ).split(' '),
);
