// Publishes 5 messages. It should send each one only once the server has acknowledged the one before.
const socket = new WebSocket(`/api/ws/${CHANNEL}`);
socket.onopen = () => {
  for (let n = 1; n <= 5; n++) socket.send(JSON.stringify({ type: 'publish', data: { n } }));
};
socket.onmessage = (event) => {
  const frame = JSON.parse(event.data);
  if (frame.type === 'ack') console.log(`ack ${frame.id}`);
};
