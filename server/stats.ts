/** Counters behind /api/stats. Plain integers: counting costs nothing per message. */
export class Stats {
  readonly requests = { poll: 0, longPoll: 0, sse: 0, websocket: 0, echo: 0, publish: 0 };
  readonly open = { longPoll: 0, sse: 0, websocket: 0, echo: 0 };
  readonly messages = { published: 0, replayed: 0 };
  readonly disconnected = { slowConsumers: 0, missedPongs: 0 };
}
