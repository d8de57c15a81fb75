// The reference the issue compares the product with: what a person would otherwise hand-write to
// sign calls to a linked application. A bare node:http server, no framework, no database, no
// authentication of its own callers: it signs each request 2-legged with `oauth-1.0a` (RSA-SHA1,
// node:crypto in the hash function, as the package's README shows) and forwards it with undici.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import OAuth from "oauth-1.0a";
import { request } from "undici";

const upstream = process.env.UPSTREAM; // e.g. http://127.0.0.1:4000/signed
const privateKey = crypto.createPrivateKey(fs.readFileSync(process.env.PRIVATE_KEY_FILE, "utf8"));
const oauth = new OAuth({
  consumer: { key: process.env.CONSUMER_KEY, secret: "" },
  signature_method: "RSA-SHA1",
  hash_function: (base) => crypto.sign("sha1", Buffer.from(base), privateKey).toString("base64"),
});

const server = http.createServer(async (req, res) => {
  try {
    const url = upstream + req.url.replace(/^\/proxy/, "");
    const auth = oauth.toHeader(oauth.authorize({ url, method: req.method }));
    const upstreamResponse = await request(url, { method: req.method, headers: { accept: req.headers.accept ?? "*/*", ...auth } });
    const body = await upstreamResponse.body.arrayBuffer();
    res.writeHead(upstreamResponse.statusCode, { "content-type": upstreamResponse.headers["content-type"] ?? "application/octet-stream" }).end(Buffer.from(body));
  } catch (error) {
    res.writeHead(502).end(String(error));
  }
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => console.log(`PORT ${server.address().port}`));
