// Test mail built from the project's own fixtures: GUP patches that owe a
// reply (a lone copy of the release-mismatch fixture with its own
// Message-ID) and plain list mail that the prefilter lets pass unreviewed.
import { readFixture } from "./fixtures.js";

const PIN_PUT_PAGE = readFixture("mail", "patch-pin-put-page.eml").toString("utf8");

/**
 * The fixture with its own file name: distinct patches have distinct diffs
 * (an identical diff is a RESEND, which is answered once).
 */
function distinct(tag: string): string {
  return PIN_PUT_PAGE.replaceAll("foo_mr.c", `foo_mr_${tag.replace(/[^A-Za-z0-9]/g, "_")}.c`);
}

/** One message as an mbox entry (mboxo quoting of body lines starting "From "). */
export function mboxEntry(message: Buffer | string): string {
  return `From pinwatch-test Thu Jan  1 00:00:00 1970\n${message.toString().replace(/\r\n/g, "\n").replace(/^From /gm, ">From ")}\n`;
}

/** A lone patch with a release-mismatch error finding: owes one reply. */
export function gupPatch(tag: string, list = "test@example.org"): Buffer {
  return Buffer.from(
    distinct(tag).replace(/^Subject: .*$/m, `Subject: [PATCH] RDMA/foo: register user memory regions (${tag})`)
      .replace(/^Message-Id: .*$/m, `Message-Id: <gup-${tag}@example.net>`)
      .replace(/^To: .*$/m, `To: ${list}`)
      .replace(/^In-Reply-To: .*\n/m, "")
      .replace(/^References: .*\n/m, ""),
  );
}

/** Patch `index` of a `total`-patch series; the release-mismatch hunk only in the patch given. */
export function seriesPatch(series: string, index: number, total: number, withGup: boolean, list = "test@example.org"): Buffer {
  if (withGup) {
    return Buffer.from(
      distinct(series).replace(/^Subject: .*$/m, `Subject: [PATCH ${index}/${total}] RDMA/foo: register user memory regions`)
        .replace(/^Message-Id: .*$/m, `Message-Id: <${series}-${index}@example.net>`)
        .replace(/^To: .*$/m, `To: ${list}`)
        .replace(/^In-Reply-To: .*$/m, `In-Reply-To: <${series}-0@example.net>`)
        .replace(/^References: .*$/m, `References: <${series}-0@example.net>`),
    );
  }
  return Buffer.from(
    [
      "From: Bo Sample <bo@example.net>",
      `To: ${list}`,
      `Subject: [PATCH ${index}/${total}] RDMA/foo: prepare`,
      "Date: Wed, 04 Jun 2025 15:30:00 +0000",
      `Message-Id: <${series}-${index}@example.net>`,
      `In-Reply-To: <${series}-0@example.net>`,
      `References: <${series}-0@example.net>`,
      "",
      "Nothing about pages here.",
      "",
      "diff --git a/drivers/foo.c b/drivers/foo.c",
      "--- a/drivers/foo.c",
      "+++ b/drivers/foo.c",
      "@@ -1,3 +1,3 @@",
      " int a;",
      "-int b;",
      "+int c;",
      " int d;",
      "",
    ].join("\n"),
  );
}

/** Ordinary list mail: no patch, no GUP symbol. */
export function plainMail(tag: string, list = "test@example.org", date = "Mon, 01 Jun 2026 10:00:00 +0000"): Buffer {
  return Buffer.from(
    [
      `From: Dev ${tag} <dev-${tag}@example.org>`,
      `To: ${list}`,
      `Subject: Re: [PATCH] something ${tag}`,
      `Date: ${date}`,
      `Message-ID: <plain-${tag}@example.org>`,
      `In-Reply-To: <parent-${tag}@example.org>`,
      "",
      `Looks fine to me (${tag}).`,
      "",
    ].join("\n"),
  );
}
