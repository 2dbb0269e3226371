/**
 * The one conversational request recognised by pattern rather than by the intent model: asking for a person, which
 * must work at any time, in any conversation, whatever the admin's intent files say. Patterns are anchored on
 * meaning-bearing phrases so "agent" in "my agent number" does not trigger a handoff. No two adjacent quantifiers
 * can match the same characters (`\s*[.!?]*\s*` could, and backtracked quadratically on "agent" and 100 KB of spaces).
 */
const HUMAN_REQUEST =
  /\b(talk|speak|chat|connect|transfer|put)\b.{0,20}\b(human|person|someone|somebody|agent|representative|rep|operator|people|staff|real)\b|\b(human|real person|live agent|live person|representative|operator)\b\s*(please|pls|now)?[.!?]*$|^\s*(agent|human)\s*(?:[.!?]+\s*)?$/i;

export function asksForHuman(text: string): boolean {
  return HUMAN_REQUEST.test(text);
}
