import { describe, expect, it } from "vitest";
import { baseStringUri, protocolParameters, normalizeParameters, percentEncode, signatureBaseString, signHmacSha1, signingKey } from "@/lib/oauth1";

describe("RFC 5849 worked examples", () => {
  // RFC 5849 section 3.4.1.1 (and 3.4.1.3.1 / 3.4.1.3.2): the example request, copied exactly.
  const request = {
    method: "POST",
    url: "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b",
    headers: new Headers({
      "content-type": "application/x-www-form-urlencoded",
      authorization:
        'OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"',
    }),
    body: "c2&a3=2+q",
  };

  it("3.4.1.3.2: normalizes the parameters", () => {
    expect(normalizeParameters(protocolParameters(request).params)).toBe(
      "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7",
    );
  });

  it("3.4.1.1: builds the signature base string", () => {
    const params = normalizeParameters(protocolParameters(request).params);
    expect(signatureBaseString("POST", baseStringUri(request.url), params)).toBe(
      "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7",
    );
  });

  it("3.4.1.2: base string URIs drop default ports and lower-case scheme and host", () => {
    expect(baseStringUri("HTTP://EXAMPLE.COM:80/r%20v/X?id=123")).toBe("http://example.com/r%20v/X");
    expect(baseStringUri("https://www.example.net:8080/?q=1")).toBe("https://www.example.net:8080/");
    expect(baseStringUri("https://Example.com:443")).toBe("https://example.com/");
  });

  it("3.6: percent-encodes the RFC 3986 way", () => {
    expect(percentEncode("Ladies + Gentlemen")).toBe("Ladies%20%2B%20Gentlemen");
    expect(percentEncode("An encoded string!")).toBe("An%20encoded%20string%21");
    expect(percentEncode("Dogs, Cats & Mice")).toBe("Dogs%2C%20Cats%20%26%20Mice");
    expect(percentEncode("☃")).toBe("%E2%98%83");
    expect(percentEncode("-._~*'()")).toBe("-._~%2A%27%28%29");
  });

  it("3.4.2: HMAC-SHA1 of the example with known secrets (oauthlib's vector)", () => {
    // The consumer secret "j49sk3j29djd" and token secret "dh893hdasih9" are the RFC's; the
    // signature is what python3-oauthlib computes for this base string.
    const params = normalizeParameters(protocolParameters(request).params);
    const base = signatureBaseString("POST", baseStringUri(request.url), params);
    expect(signHmacSha1(base, signingKey("j49sk3j29djd", "dh893hdasih9"))).toBe("r6/TJjbCOr97/+UU0NsvSne7s5g=");
  });

  it("3.4.1.3.2: sorts by encoded name, then value, when one name is a prefix of another", () => {
    // "a" < "a-b" < "a.": a name sorts before every longer name it begins, whatever follows it
    // (joining "a=…" first and sorting the pairs would put "a-b" before "a", as "-" < "=").
    const params: [string, string][] = [["a.", "x"], ["a-b", "1"], ["a", "2"], ["a", "10"], ["a b", "%"], ["oauth_signature", "dropped"]];
    expect(normalizeParameters(params)).toBe("a=10&a=2&a%20b=%25&a-b=1&a.=x");
  });
});
