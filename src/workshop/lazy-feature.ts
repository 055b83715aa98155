/**
 * A feature of the attendee's part loaded on demand (after the attendee has joined), so that a
 * page ships less JavaScript before interaction: the control events it names are listened to at
 * once and held until the feature is there, then handed to it in the order they came. Nothing
 * is lost to the race between the control stream's first events (`state` right after
 * `welcome`) and the feature's module.
 */
import type { AttendeeSession } from './attendee.ts';

type Handler = (data: unknown) => void;

/** An install function that loads `load`'s feature and feeds it `events`, held until it is installed. */
export function lazyFeature(events: readonly string[], load: () => Promise<(session: AttendeeSession) => void>): (session: AttendeeSession) => void {
  return (session) => {
    const held: [string, unknown][] = [];
    let handlers: Map<string, Handler[]> | undefined;
    for (const event of events) {
      session.on(event, (data) => {
        if (handlers) for (const handler of handlers.get(event) ?? []) handler(data);
        else held.push([event, data]);
      });
    }
    void load().then((install) => {
      const installed = new Map<string, Handler[]>();
      install({
        ...session,
        on(event, handler) {
          if (!events.includes(event)) throw new Error(`lazyFeature: the feature listens to "${event}", which is not in its list (${events.join(', ')})`);
          installed.set(event, [...(installed.get(event) ?? []), handler]);
        },
      });
      handlers = installed;
      for (const [event, data] of held.splice(0)) for (const handler of installed.get(event) ?? []) handler(data);
    });
  };
}
