const source = new EventSource(`/api/sse/${CHANNEL}`);
source.onmessage = (event) => console.log(event.lastEventId);
source.onerror = () => {
  if (source.readyState === EventSource.CONNECTING) {
    // The connection was lost: the browser reconnects by itself, with Last-Event-ID.
    console.log('connection lost: reconnecting');
  } else {
    // CLOSED: the server answered 204 (or an error) and the browser gave up. Stay away.
    console.log('the server told us to stop');
    console.log('done');
  }
};
