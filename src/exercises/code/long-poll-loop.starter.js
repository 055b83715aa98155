// A long-poll loop with three mistakes. The check cuts the connection after 3 messages.
let cursor = null;
for (;;) {
  const since = cursor === null ? '' : `&since=${encodeURIComponent(cursor)}`;
  const response = await fetch(`/api/long-poll/${CHANNEL}?timeout=1${since}`);
  const page = await response.json();
  for (const message of page.messages) console.log(message.id);
  cursor = page.cursor;
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
