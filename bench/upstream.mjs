// The bench's upstream: a bare node:http service answering a small JSON body at once. It counts
// the requests that arrived OAuth-signed (GET /__stats), so the bench can prove signing happened.
import http from "node:http";

const body = JSON.stringify({ self: "http://upstream/rest/api/2/myself", name: "bench", displayName: "Bench upstream", active: true });
let signed = 0;
let unsigned = 0;
const server = http.createServer((req, res) => {
  if (req.url === "/__stats") return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ signed, unsigned }));
  if ((req.headers.authorization ?? "").startsWith("OAuth ")) signed++;
  else unsigned++;
  req.resume();
  req.on("end", () => res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body));
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => console.log(`PORT ${server.address().port}`));
