/**
 * Small, explicit conversational intents the keyword brain recognises before searching the knowledge base.
 * Patterns are anchored on meaning-bearing phrases so "agent" in "my agent number" does not trigger a handoff.
 */
const HUMAN_REQUEST =
  /\b(talk|speak|chat|connect|transfer|put)\b.{0,20}\b(human|person|someone|somebody|agent|representative|rep|operator|people|staff|real)\b|\b(human|real person|live agent|live person|representative|operator)\b\s*(please|pls|now)?[.!?]*$|^\s*(agent|human)\s*[.!?]*\s*$/i;

const GREETING = /^\s*(hi|hello|hey|hiya|good (morning|afternoon|evening)|hallo|bonjour|hola)\b[\s!.,]*(there|team|all)?[\s!.]*$/i;
const THANKS = /^\s*(thanks|thank you|thx|ty|cheers|great,? thanks|perfect,? thanks)\b.{0,30}$/i;

export function asksForHuman(text: string): boolean {
  return HUMAN_REQUEST.test(text);
}

export function isGreeting(text: string): boolean {
  return GREETING.test(text);
}

export function isThanks(text: string): boolean {
  return THANKS.test(text);
}
