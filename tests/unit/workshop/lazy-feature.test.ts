/** lazyFeature (src/workshop/lazy-feature.ts): a feature loaded after the control stream's first events still gets them, in order. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AttendeeSession } from '../../../src/workshop/attendee.ts';
import { lazyFeature } from '../../../src/workshop/lazy-feature.ts';

/** A session whose control events the test sends with `emit`, as attendee.ts dispatches them. */
function session() {
  const handlers = new Map<string, ((data: unknown) => void)[]>();
  const value: AttendeeSession = {
    id: 'a'.repeat(32),
    name: () => 'Ada',
    on: (event, handler) => void handlers.set(event, [...(handlers.get(event) ?? []), handler]),
    post: () => Promise.reject(new Error('not used')),
    addToPanel: () => {},
  };
  return { value, emit: (event: string, data: unknown) => handlers.get(event)?.forEach((handler) => handler(data)) };
}

test('holds the events that come before the feature has loaded and hands them over in order, then passes the next ones straight on', async () => {
  const { value, emit } = session();
  const seen: string[] = [];
  let loaded!: () => void;
  const ready = new Promise<void>((resolve) => (loaded = resolve));
  lazyFeature(['state', 'notice'], async () => {
    await ready;
    return (feature) => {
      assert.equal(feature.name(), 'Ada', 'the rest of the session is the real one');
      feature.on('state', (data) => seen.push(`state ${JSON.stringify(data)}`));
      feature.on('notice', (data) => seen.push(`notice ${JSON.stringify(data)}`));
    };
  })(value);
  emit('state', 1);
  emit('notice', 2);
  emit('other', 3);
  assert.deepEqual(seen, [], 'nothing before the feature is there');
  loaded();
  await ready;
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen, ['state 1', 'notice 2']);
  emit('notice', 4);
  assert.deepEqual(seen, ['state 1', 'notice 2', 'notice 4']);
});
