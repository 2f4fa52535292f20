// A real Laravel Echo (with pusher-js) client the realtime tests drive, one per process.
//
// Configured by a JSON argument: {wsHost, wsPort, key, authEndpoint, bearerToken, headers}.
// Commands arrive as JSON lines on stdin; what the client sees goes out as JSON lines on stdout:
//   {"op": "listen", "channel": "news", "kind": "public"|"private"|"presence", "event": "headline"}
//   {"op": "whisper", "channel": "users.7", "kind": "private", "event": "typing", "data": {...}}
//   {"op": "leave", "channel": "news"}
//   {"op": "disconnect"}
// out: {"type": "state", "current": "connected", "socket_id": "1.2"}, {"type": "event", ...},
//      {"type": "here"|"joining"|"leaving", ...}, {"type": "subscribed"|"error", ...}
import { createInterface } from "node:readline";
import Echo from "laravel-echo";
import Pusher from "pusher-js";

const config = JSON.parse(process.argv[2]);
const say = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

const echo = new Echo({
  broadcaster: "reverb",
  Pusher,
  key: config.key,
  wsHost: config.wsHost,
  wsPort: config.wsPort,
  wssPort: config.wsPort,
  forceTLS: false,
  enabledTransports: ["ws", "wss"],
  authEndpoint: config.authEndpoint,
  bearerToken: config.bearerToken,
  auth: { headers: config.headers || {} },
});
const pusher = echo.connector.pusher;

pusher.connection.bind("state_change", ({ current }) => {
  say({ type: "state", current, socket_id: pusher.connection.socket_id });
});
pusher.connection.bind("error", (error) => say({ type: "connection_error", error: error?.data ?? null }));

function channelOf(kind, name) {
  if (kind === "presence") return echo.join(name);
  if (kind === "private") return echo.private(name);
  return echo.channel(name);
}

const names = { public: (n) => n, private: (n) => `private-${n}`, presence: (n) => `presence-${n}` };

function listen({ channel: name, kind = "public", event, whisper }) {
  const channel = channelOf(kind, name);
  const full = names[kind](name);
  channel.subscribed(() => say({ type: "subscribed", channel: full }));
  channel.error((error) => say({ type: "error", channel: full, error }));
  if (event) channel.listen(`.${event}`, (data) => say({ type: "event", channel: full, event, data }));
  if (whisper) channel.listenForWhisper(whisper, (data) => say({ type: "whisper", channel: full, event: whisper, data }));
  if (kind === "presence") {
    channel
      .here((users) => say({ type: "here", channel: full, users }))
      .joining((user) => say({ type: "joining", channel: full, user }))
      .leaving((user) => say({ type: "leaving", channel: full, user }));
  }
}

const commands = {
  listen,
  whisper: ({ channel: name, kind = "private", event, data }) => channelOf(kind, name).whisper(event, data),
  leave: ({ channel: name }) => echo.leave(name),
  disconnect: () => echo.disconnect(),
  exit: () => process.exit(0),
};

createInterface({ input: process.stdin }).on("line", (line) => {
  const command = JSON.parse(line);
  commands[command.op](command);
});
process.stdin.on("end", () => process.exit(0));
