// A store with something to show, for dashboard and digest tests: a
// moderated list with a patch whose subject, author name and code carry
// HTML, a v2 of an ordinary patch that still has its finding, and a v3 that
// fixes it. Built through the real poller from the project's own fixtures.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ROOT, readFixture } from "./fixtures.js";
import { pollerLab, type PollerLab } from "./poller-setup.js";

const FIXTURE = readFixture("mail", "patch-pin-put-page.eml").toString("utf8");
export const HOSTILE_SUBJECT = `<script>alert("subject")</script> RDMA/foo: pin & "register"`;

function entry(text: string): string {
  return `From pinwatch-test Thu Jan  1 00:00:00 1970\n${text}\n`;
}

function patch(subject: string, id: string, date: string, change: (t: string) => string = (t) => t): string {
  return entry(
    change(
      FIXTURE.replace(/^Subject: .*$/m, `Subject: ${subject}`)
        .replace(/^Message-Id: .*$/m, `Message-Id: <${id}@example.net>`)
        .replace(/^Date: .*$/m, `Date: ${date}`)
        .replace(/^In-Reply-To: .*\n/m, "")
        .replace(/^References: .*\n/m, ""),
    ),
  );
}

export const HOSTILE = (t: string) =>
  t
    .replace(/^From: .*$/m, `From: "<img src=x onerror=alert(1)> Mallory" <mallory@example.net>`)
    .replace("put_page(mr->pages[i]);", "put_page(mr->pages[i]); /* </pre><script>alert('code')</script> */")
    .replaceAll("hw/foo/foo_mr.c", "core/evil_mr.c");

export interface WebLab {
  lab: PollerLab;
  close(): void;
}

export async function webLab(): Promise<WebLab> {
  const dir = mkdtempSync(join(tmpdir(), "pinwatch-web-"));
  const mailbox = join(dir, "rdma.mbox");
  const now = new Date();
  const day = (n: number) => new Date(now.getTime() - n * 86400000).toUTCString().replace("GMT", "+0000");
  writeFileSync(
    mailbox,
    patch(`[PATCH] ${HOSTILE_SUBJECT}`, "hostile", day(3), HOSTILE) +
      patch("[PATCH] RDMA/foo: register user memory regions", "mr-v1", day(6)) +
      patch("[PATCH v2] RDMA/foo: register user memory regions", "mr-v2", day(4), (t) => t.replace("-EFAULT", "-EIO")) +
      patch("[PATCH v3] RDMA/foo: register user memory regions", "mr-v3", day(1), (t) => t.replace("-EFAULT", "-EIO").replace("put_page(mr->pages[i]);", "unpin_user_page(mr->pages[i]);")),
  );
  const lab = pollerLab(
    [{ name: "linux-rdma", address: "linux-rdma@vger.kernel.org", replyMode: "moderated", source: { type: "mailbox", path: mailbox } }],
    {},
    { bot: { address: "pinwatch@bot.example", messageIdDomain: "pinwatch.example" } },
  );
  await lab.poll("linux-rdma");
  return {
    lab,
    close() {
      lab.close();
      rmSync(dirname(mailbox), { recursive: true, force: true });
    },
  };
}

export const MAINTAINERS_FIXTURE = join(ROOT, "test", "fixtures", "maintainers", "MAINTAINERS");
