import type { Capabilities } from '../types';

export const teamsCapabilities: Capabilities = {
  // Teams rejects messages above ~28 KB of text; the renderer splits longer replies.
  maxTextLength: 28_000,
  markup: 'markdown',
  // Adaptive Card Action.Submit buttons: Teams shows up to six actions before folding the rest away.
  buttons: { max: 6, titleMax: 50 },
  // Bot file sends need the OneDrive consent flow: media become links.
  attachments: false,
  threads: true,
  edits: true,
  typing: true,
  citations: 'text',
};
