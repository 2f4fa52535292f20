// Many real pusher-js clients in one Node process, for the realtime benchmark.
// Config (JSON argument): {host, port, key, count, perSecond, channel, event}.
// Opens `count` connections at `perSecond`, each subscribing to `channel`; prints one JSON line
// {"type": "ready", "connect_ms": [...], "subscribed": n, "connected": n} once all are subscribed (or
// failed, or a minute after the last one opened),
// then records, for each `event` received, the ms since the `sent` epoch-ms time in its data.
// On stdin "report" it prints {"type": "report", "latency_ms": [...], "first_ms": [...], "connected": n}
// (first_ms: each event's earliest receipt) and exits.
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const clients = fileURLToPath(new URL("../tests/e2e/realtime/package.json", import.meta.url));
const Pusher = createRequire(clients)("pusher-js");
const config = JSON.parse(process.argv[2]);
const say = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

const connectMs = [];
const latencyMs = [];
const firstMs = {}; // per event (its `seq`): the earliest receipt, the pipeline's own latency
const sockets = [];
let subscribed = 0;
let settled = 0;
let announced = false;
const announce = () => {
  if (!announced) {
    announced = true;
    say({ type: "ready", connect_ms: connectMs, subscribed, connected: connectedCount() });
  }
};

function open() {
  const started = performance.now();
  const pusher = new Pusher(config.key, {
    cluster: "",
    wsHost: config.host,
    wsPort: config.port,
    forceTLS: false,
    enabledTransports: ["ws"],
    disableStats: true,
  });
  sockets.push(pusher);
  let counted = false;
  let timed = false;
  const settle = () => {
    if (!counted) {
      counted = true;
      settled += 1;
      if (settled === config.count) announce();
    }
  };
  pusher.connection.bind("connected", () => {
    if (!timed) {
      timed = true;
      connectMs.push(performance.now() - started);
    }
  });
  pusher.connection.bind("failed", settle);
  const channel = pusher.subscribe(config.channel);
  channel.bind("pusher:subscription_succeeded", () => {
    subscribed += 1;
    settle();
  });
  channel.bind("pusher:subscription_error", settle);
  channel.bind(config.event, (data) => {
    const ms = Date.now() - data.sent;
    latencyMs.push(ms);
    firstMs[data.seq] = Math.min(firstMs[data.seq] ?? Infinity, ms);
  });
}

const connectedCount = () => sockets.filter((p) => p.connection.state === "connected").length;

for (let i = 0; i < config.count; i += 1) setTimeout(open, (i * 1000) / config.perSecond);
// Whatever has not settled a minute after the last connection opened is counted as it stands.
setTimeout(announce, (config.count * 1000) / config.perSecond + 60000);

createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() === "report") {
    say({ type: "report", latency_ms: latencyMs, first_ms: Object.values(firstMs), connected: connectedCount() });
    for (const pusher of sockets) pusher.disconnect();
    setTimeout(() => process.exit(0), 200);
  }
});
