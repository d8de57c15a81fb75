import { AppError } from "@/lib/errors";
import { integerSetting } from "@/lib/env/integer-setting";

/** Largest request body the proxy forwards, and OAuth verification reads (PROXY_MAX_BODY_BYTES, default 10 MB). */
export function proxyMaxBodyBytes(env: Record<string, string | undefined> = process.env): number {
  return integerSetting(env.PROXY_MAX_BODY_BYTES, 10 * 1024 * 1024);
}

const tooLarge = (maxBytes: number) => new AppError("payload_too_large", `The body is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`);

/**
 * Reads a request body as it streams in, refusing it (413) as soon as it passes the cap. The body
 * is kept whole because a non-form body is covered by oauth_body_hash, signed before sending. On
 * refusal the rest is left unread (not destroyed), so the 413 still reaches the client.
 */
export async function readBodyCapped(body: AsyncIterable<Uint8Array> | null, declaredLength: string | null, maxBytes: number): Promise<Buffer | null> {
  if (!body) return null;
  if (Number(declaredLength) > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  const iterator = body[Symbol.asyncIterator]();
  for (;;) {
    const { done, value } = await iterator.next();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(Buffer.isBuffer(value) ? value : Buffer.from(value));
  }
  return size ? Buffer.concat(chunks) : null;
}

