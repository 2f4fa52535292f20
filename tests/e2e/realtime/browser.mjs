// The local stack's realtime page (/_local/realtime) in a real headless browser, Debian's Chromium
// driven by playwright-core, for the realtime tests; one page per process.
//
// Opens the page URL given as the argument (its fragment carries the token and API key) and
// reports what happens as JSON lines on stdout, until stdin closes:
//   {"type": "page", "status": 200, "source": "<!doctype html>..."}   the page as served
//   {"type": "request", "method": "POST", "url": ..., "headers": {...}, "body": ...}   each request
//   {"type": "websocket", "url": ...}, {"type": "frame", "payload": ...}   its sockets, frames sent
//   {"type": "page_state", "state": "subscribed"}   each change of the page's <body data-state>
//   {"type": "console"|"pageerror", "text": ...}   errors in the page
// and each line the page writes into its #log, as is: {"type": "state"|"subscribed"|"event"|"error", ...}.
import { setTimeout as sleep } from "node:timers/promises";
import { chromium } from "playwright-core";

const say = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

// launch() gives the browser a fresh, temporary user-data-dir. Without the background-networking
// flags Chromium keeps trying to reach Google's services.
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const page = await browser.newPage();
page.on("request", async (request) => {
  const headers = await request.allHeaders().catch(() => request.headers());
  say({ type: "request", method: request.method(), url: request.url(), headers, body: request.postData() });
});
page.on("websocket", (socket) => {
  say({ type: "websocket", url: socket.url() });
  socket.on("framesent", ({ payload }) => say({ type: "frame", payload: String(payload) }));
});
page.on("console", (message) => message.type() === "error" && say({ type: "console", text: message.text() }));
page.on("pageerror", (error) => say({ type: "pageerror", text: String(error) }));

let open = true;
process.stdin.on("end", () => (open = false)).resume();

const response = await page.goto(process.argv[2]);
say({ type: "page", status: response.status(), source: await response.text() });

let reported = 0;
let state = null;
while (open) {
  const seen = await page.evaluate(() => ({
    log: document.getElementById("log")?.textContent ?? "",
    state: document.body?.dataset.state ?? null,
  }));
  const lines = seen.log.split("\n").filter(Boolean);
  for (const line of lines.slice(reported)) process.stdout.write(`${line}\n`);
  reported = lines.length;
  if (seen.state !== state) say({ type: "page_state", state: (state = seen.state) });
  await sleep(100);
}
await browser.close();
