/**
 * The sandbox's interface strings: their keys and what each is for. content.config.ts extends
 * Starlight's i18n collection with this schema; the strings themselves live in content/i18n/*.json.
 */
import { z } from 'astro/zod';

const DESCRIPTIONS = {
  'sandbox.run': 'Run button.',
  'sandbox.run.title': 'Tooltip of the Run button, with its keyboard shortcut.',
  'sandbox.stop': 'Stop button: ends the run and every connection it opened.',
  'sandbox.reset': 'Reset button: restores the lesson’s code.',
  'sandbox.copy': 'Copy button: copies the code.',
  'sandbox.share': 'Share button: makes a link that restores the edited code.',
  'sandbox.toolbar.label': 'Accessible name of the toolbar. {{title}} is the sandbox title.',
  'sandbox.code.label': 'Accessible name of the highlighted code before the editor loads.',
  'sandbox.editor.label': 'Accessible name of the code editor. {{title}} is the sandbox title.',
  'sandbox.editor.failed': 'The editor could not be loaded.',
  'sandbox.editor.keys': 'Shown while the editor has focus: how to leave it with the keyboard.',
  'sandbox.skip': 'Skip link at the top of a page with sandboxes: jumps to the first one.',
  'sandbox.edit.hint': 'Hint under the code: how to start editing and running.',
  'sandbox.server.checking': 'Server status while it is being checked.',
  'sandbox.server.online': 'Server status: reachable.',
  'sandbox.server.offline': 'Server status: unreachable.',
  'sandbox.server.help': 'Shown when the server is unreachable: how to start it. {{base}} is the API address.',
  'sandbox.state.running': 'Run state: running.',
  'sandbox.state.stopped': 'Run state: stopped.',
  'sandbox.state.stuck': 'The snippet stopped answering (a busy loop); Stop ends it.',
  'sandbox.output': 'Title of the output panel.',
  'sandbox.output.uncaught': 'Prefix of an uncaught error in the output.',
  'sandbox.output.unhandled': 'Prefix of an unhandled promise rejection in the output.',
  'sandbox.wire': 'Title of the wire panel.',
  'sandbox.wire.empty': 'Wire panel before any network activity.',
  'sandbox.wire.totals': 'Counts for a run. {{requests}}, {{bytesIn}}, {{bytesOut}}, {{open}}.',
  'sandbox.wire.pending': 'A request still waiting for its response.',
  'sandbox.wire.stopped': 'What happened to open connections when the reader pressed Stop.',
  'sandbox.wire.earlier': 'Events scrolled out of a lane. {{count}} is how many.',
  'sandbox.wire.kind.fetch': 'Lane kind: fetch.',
  'sandbox.wire.kind.xhr': 'Lane kind: XMLHttpRequest.',
  'sandbox.wire.kind.sse': 'Lane kind: EventSource.',
  'sandbox.wire.kind.ws': 'Lane kind: WebSocket.',
  'sandbox.wire.state.pending': 'Lane state: a request is pending.',
  'sandbox.wire.state.connecting': 'Lane state: connecting.',
  'sandbox.wire.state.open': 'Lane state: open.',
  'sandbox.wire.state.done': 'Lane state: requests done.',
  'sandbox.wire.state.closed': 'Lane state: closed.',
  'sandbox.wire.state.error': 'Lane state: error (EventSource will retry).',
  'sandbox.frame.title': 'Title of the hidden frame the snippet runs in.',
  'sandbox.copy.done': 'The code was copied.',
  'sandbox.copy.failed': 'The code could not be copied.',
  'sandbox.share.label': 'Label of the share link field.',
  'sandbox.share.copied': 'The share link was copied.',
  'sandbox.share.ready': 'The share link is ready to copy by hand.',
  'sandbox.share.restored': 'The code came from a shared link.',
  'sandbox.share.broken': 'A shared link could not be read.',
  'sandbox.reset.done': 'The code was reset.',
} as const;

/** Every sandbox string key. */
export type SandboxStringKey = keyof typeof DESCRIPTIONS;
export const SANDBOX_STRING_KEYS = Object.keys(DESCRIPTIONS) as SandboxStringKey[];

/** The additive schema for Starlight's i18n collection. */
export const sandboxI18nSchema = z.object(
  Object.fromEntries(SANDBOX_STRING_KEYS.map((key) => [key, z.string().optional().describe(DESCRIPTIONS[key])])) as Record<SandboxStringKey, z.ZodOptional<z.ZodString>>,
);
