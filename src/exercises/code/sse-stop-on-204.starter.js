// Reconnects by hand after every error. The check's server will answer 204: "stop".
function connect() {
  const source = new EventSource(`/api/sse/${CHANNEL}`);
  source.onmessage = (event) => console.log(event.lastEventId);
  source.onerror = () => {
    source.close();
    setTimeout(connect, 500);
  };
}
connect();
