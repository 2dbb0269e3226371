import { z } from 'zod';
import { DataFence, outbound } from './prompt';
import type { OpenAIProvider } from './provider';

const summarySchema = {
  type: 'object',
  properties: { summary: { type: 'string', description: 'Three to five short sentences for a support agent.' } },
  required: ['summary'],
  additionalProperties: false,
};

export interface TranscriptLine {
  author: string;
  text: string;
}

/**
 * A hand-over summary for agents, written by the model: what the customer wants, what was tried, how they feel,
 * what is still open. The transcript is redacted and fenced like every other prompt; the facts the pipeline already
 * knows (reason, intent) are given as context, so the model does not have to guess them. Failures throw: the
 * caller falls back to the embedded summary.
 */
export class OpenAISummarizer {
  constructor(
    private readonly provider: OpenAIProvider,
    private readonly maxTokens = 250,
  ) {}

  async summarize(transcript: TranscriptLine[], facts: string): Promise<string> {
    const fence = new DataFence();
    const lines = transcript.slice(-20).map((l) => `${l.author}: ${outbound(l.text).replace(/\s+/g, ' ').slice(0, 600)}`);
    const { value } = await this.provider.chatJson({
      name: 'handover_summary',
      schema: summarySchema,
      validate: z.object({ summary: z.string().min(1).max(2000) }),
      system: [
        'You write hand-over notes for customer support agents who take over a conversation from an AI assistant.',
        'In three to five short, factual sentences: what the customer wants, what the assistant already answered or tried, how the customer feels, and what is still open.',
        'Do not invent order details, promises or policies. Write in English.',
        fence.rule(),
      ].join(' '),
      user: `${fence.section('facts', outbound(facts))}\n${fence.section('transcript', lines.join('\n'))}`,
      maxTokens: this.maxTokens,
    });
    return value.summary.trim();
  }
}
