// Polls every 200 ms. Find what goes wrong: the check publishes 20 messages, then a `stop`.
setInterval(async () => {
  const response = await fetch(`/api/poll/${CHANNEL}`);
  const page = await response.json();
  for (const message of page.messages) console.log(message.id);
}, 200);
