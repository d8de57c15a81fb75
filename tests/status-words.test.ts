/** What "Check now" says (issue 22): the status in words, in its own tone, the cause as a sentence; never a green box around a failure. */
import { describe, expect, it } from "vitest";
import { checkedMessage, STATUS_LABEL, STATUS_TONE } from "@/lib/status/words";
import { LINK_STATUSES } from "@/lib/links/schemas";

describe("checkedMessage", () => {
  it("a failed check reads in words, in the status's tone, with its cause as a sentence", () => {
    expect(checkedMessage("NETWORK_ERROR", "unknown host: nowhere.invalid does not resolve.")).toEqual({ message: "Checked: Network error. Unknown host: nowhere.invalid does not resolve.", tone: "danger" });
    expect(checkedMessage("AUTHENTICATE", "authenticate to see status.")).toMatchObject({ tone: "warning" });
    expect(checkedMessage("CONNECTED", "Every check passed: the link works end to end.")).toEqual({ message: "Checked: Connected.", tone: "success" });
  });

  it("never shows a raw code, and no status but CONNECTED is green", () => {
    for (const status of LINK_STATUSES) {
      const { message, tone } = checkedMessage(status, "cause");
      expect(message).not.toContain(status);
      expect(message).toContain(STATUS_LABEL[status]);
      if (status !== "CONNECTED") expect(tone).not.toBe("success");
      expect(["success", "warning", "danger"]).toContain(tone);
      expect(STATUS_TONE[status]).toBeDefined();
    }
  });
});
