// `pinwatch review <message-id>` and `pinwatch review <lore URL>`: the
// thread is fetched from a real public-inbox on loopback (t.mbox.gz over
// HTTP, or NNTP) and its series is picked and reviewed the way b4 picks it:
// the newest revision unless --use-version says otherwise, replies and
// other revisions skipped, patches in series order.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readFixture, ROOT } from "../helpers/fixtures.js";
import { hasPublicInbox, LocalLore } from "../helpers/local-lore.js";

const CLI = join(ROOT, "dist", "src", "cli", "main.js");
const skip = !hasPublicInbox && "public-inbox is not installed (apt-get install public-inbox; .ci/run does)";
const LIST = "rdma";

const PIN_PUT_PAGE = readFixture("mail", "patch-pin-put-page.eml").toString("utf8");

/** A posting of the two-patch series: 1/2 touches no GUP code, 2/2 is the release-mismatch fixture. */
function posting(version: number, date: string, inReplyTo?: string): Buffer[] {
  const v = version > 1 ? ` v${version}` : "";
  const id = (n: number) => `series-v${version}-${n}@example.net`;
  const thread = (n: number) =>
    n === 0
      ? inReplyTo ? [`In-Reply-To: <${inReplyTo}>`, `References: <${inReplyTo}>`] : []
      : [`In-Reply-To: <${id(0)}>`, `References: ${inReplyTo ? `<${inReplyTo}> ` : ""}<${id(0)}>`];
  const head = (n: number, subject: string) => [
    "From: Bo Sample <bo@example.net>", `To: ${LIST}@example.org`, `Subject: [PATCH${v} ${n}/2] ${subject}`, `Date: ${date}`, `Message-Id: <${id(n)}>`, ...thread(n),
  ];
  const cover = [...head(0, "RDMA/foo: user memory regions"), "", `Revision ${version} of the series.`, ""].join("\n");
  const first = [...head(1, "RDMA/foo: add the MR structure"), "", "Nothing about pages.", "", "diff --git a/drivers/foo.h b/drivers/foo.h", "--- a/drivers/foo.h", "+++ b/drivers/foo.h", "@@ -1,2 +1,3 @@", " struct foo_mr {", `+\tint v${version};`, " };", ""].join("\n");
  const second = PIN_PUT_PAGE.replace(/^Subject: .*$/m, `Subject: [PATCH${v} 2/2] RDMA/foo: register user memory regions`)
    .replace(/^Message-Id: .*$/m, `Message-Id: <${id(2)}>`)
    .replace(/^To: .*$/m, `To: ${LIST}@example.org`)
    .replace(/^Date: .*$/m, `Date: ${date}`)
    .replace(/^In-Reply-To: .*\nReferences: .*$/m, thread(2).join("\n"));
  return [cover, first, second].map((t) => Buffer.from(t));
}

const reply = Buffer.from(
  [
    "From: Leon Maintainer <leon@example.com>", `To: ${LIST}@example.org`, "Subject: Re: [PATCH 2/2] RDMA/foo: register user memory regions",
    "Date: Thu, 05 Jun 2025 09:00:00 +0000", "Message-Id: <leon-reply@example.com>", "In-Reply-To: <series-v1-2@example.net>",
    "References: <series-v1-0@example.net> <series-v1-2@example.net>", "", "> +\t\tput_page(mr->pages[i]);", "", "This wants unpin_user_page().", "",
  ].join("\n"),
);

function pinwatch(args: string[], config: string) {
  return spawnSync(process.execPath, [CLI, "review", "--config", config, ...args], { encoding: "utf8", env: { ...process.env, PINWATCH_LOG_LEVEL: "error" }, timeout: 60_000 });
}

describe("review <message-id> | <lore URL> against a public-inbox on loopback", { skip }, () => {
  let lore: LocalLore;
  let http: string;
  let nntp: string;
  before(async () => {
    lore = await LocalLore.create([LIST]);
    // v1, a reply to it, then v2 sent in reply to v1's cover letter (one thread).
    lore.add(LIST, [...posting(1, "Wed, 04 Jun 2025 15:30:00 +0000"), reply, ...posting(2, "Mon, 09 Jun 2025 10:00:00 +0000", "series-v1-0@example.net")]);
    http = join(lore.dir, "http.yaml");
    writeFileSync(http, `lore:\n  url: ${lore.url(LIST)}\npoller:\n  maxRetries: 0\n  requestTimeoutSeconds: 10\n`);
    nntp = join(lore.dir, "nntp.yaml");
    writeFileSync(nntp, `lore:\n  url: ${lore.url(LIST)}\n  nntp: {host: 127.0.0.1, port: ${lore.nntpPort}}\npoller:\n  maxRetries: 0\n  requestTimeoutSeconds: 10\n`);
  });
  after(async () => {
    await lore?.close();
  });

  test("a Message-ID fetches the thread's t.mbox.gz and reviews the newest revision, in series order", () => {
    const r = pinwatch(["series-v1-1@example.net"], http);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.match(lines[0]!, /t\.mbox\.gz#\d+: \[PATCH v2 1\/2\] RDMA\/foo: add the MR structure <series-v2-1@example\.net>: no findings$/);
    assert.match(lines[1]!, /t\.mbox\.gz#\d+: \[PATCH v2 2\/2\] RDMA\/foo: register user memory regions <series-v2-2@example\.net>$/);
    assert.match(lines[2]!, /^drivers\/infiniband\/hw\/foo\/foo_mr\.c:149: error: .* \[release-mismatch\]$/);
    // Skipped: v1's cover and two patches, the reply, v2's cover.
    assert.equal(lines[3], "2 patches reviewed, 1 error, 0 warnings, 5 skipped");
    assert.match(r.stderr, /^pinwatch: fetching the thread of <series-v1-1@example\.net> from http:\/\/127\.0\.0\.1:\d+\/rdma\n/);
    assert.match(r.stderr, /pinwatch: 7 messages; reviewing v2, 2 patches \(the newest of v1, v2; --use-version picks another\), 5 other messages skipped\n/);
  });

  test("a lore URL is read from its own inbox; --use-version picks an older revision", () => {
    const url = `${lore.url(LIST)}/series-v1-2@example.net/`;
    // The configured lore points nowhere: the URL's inbox is used.
    const elsewhere = join(lore.dir, "elsewhere.yaml");
    writeFileSync(elsewhere, "lore:\n  url: http://127.0.0.1:9/none\npoller:\n  maxRetries: 0\n");
    const r = pinwatch(["--json", "--use-version", "1", url], elsewhere);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.reviews.map((x: { messageId: string }) => x.messageId), ["series-v1-1@example.net", "series-v1-2@example.net"]);
    assert.deepEqual(doc.reviews[1].findings.map((f: { rule: string }) => f.rule), ["release-mismatch"]);
    const missing = pinwatch(["--use-version", "5", url], elsewhere);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /PW_E_USAGE the thread of <series-v1-2@example\.net> has no v5 \(it has v1, v2\)/);
  });

  test("over NNTP: the article, then its thread from the overview around it", () => {
    const r = pinwatch(["--format", "b4", "<series-v2-2@example.net>"], nntp);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).map((x: { status: string }) => x.status), ["pass", "fail"]);
    assert.match(r.stderr, /from nntp:\/\/127\.0\.0\.1:\d+/);
  });

  test("a Message-ID the archive does not have is a coded error naming it; other inputs still run", () => {
    const r = pinwatch(["no-such-thread@example.net", join(ROOT, "test", "fixtures", "mail", "patch-fix-unpin.eml")], http);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /: error: no message <no-such-thread@example\.net> there \(404\) \[PW_E_SOURCE_FETCH\]/);
    assert.match(r.stdout, /^1 patch reviewed, 0 errors, 0 warnings, 0 skipped; 1 input could not be read$/m);
    const neither = pinwatch(["not-a-path-nor-an-id"], http);
    assert.equal(neither.status, 1);
    assert.match(neither.stderr, /^not-a-path-nor-an-id: error: no such file or directory, and not a Message-ID or a lore URL \[PW_E_INPUT_READ\]/);
  });
});
