/**
 * Background-side helpers the side panel relies on: forwarding a message to a console tab's
 * content script, remembering the analysis pipeline's status across service-worker restarts, and
 * turning manifest keyboard commands into side-panel commands.
 */
import { browser } from 'wxt/browser';
import type { Message, MessageOf, PanelCommand } from '@/lib/messages';

const PIPELINE_KEY = 'sotto:pipeline';

export function sendToTab(tabId: number, msg: Message): Promise<unknown> {
  return browser.tabs.sendMessage(tabId, msg);
}

export async function rememberPipeline(status: MessageOf<'pipeline-status'>): Promise<void> {
  const area = browser.storage.session ?? browser.storage.local;
  await area.set({ [PIPELINE_KEY]: status });
}

export async function lastPipeline(): Promise<MessageOf<'pipeline-status'> | undefined> {
  const area = browser.storage.session ?? browser.storage.local;
  const got = await area.get(PIPELINE_KEY);
  return got[PIPELINE_KEY] as MessageOf<'pipeline-status'> | undefined;
}

const PANEL_COMMANDS: ReadonlySet<string> = new Set<PanelCommand>([
  'insert-top-hint',
  'next-warning',
  'acknowledge',
]);

/** Calls `fn` for the manifest commands the side panel handles (`_execute_action` opens it). */
export function onPanelCommand(fn: (command: PanelCommand) => void): void {
  browser.commands?.onCommand.addListener((command: string) => {
    if (PANEL_COMMANDS.has(command)) fn(command as PanelCommand);
  });
}
