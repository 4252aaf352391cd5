// Source addresses are checked when the config is read: a lore inbox's own
// URL (or a local inbox, repository or bundle for git), never an epoch or a
// page inside an inbox, which would be read wrongly; NNTP hosts and groups
// as names. Each refusal says what to write instead.
import assert from "node:assert/strict";
import { test } from "node:test";
import { validateConfig } from "../../src/config/load-config.js";
import { PinwatchError } from "../../src/errors.js";

const list = (source: Record<string, unknown>) => ({ lists: [{ name: "l", source }] });
const accepted = (source: Record<string, unknown>) => validateConfig(list(source), "t.yaml").lists[0]!.source;
function refused(source: Record<string, unknown>, why: RegExp): void {
  assert.throws(() => validateConfig(list(source), "t.yaml"), (err: unknown) => {
    assert.ok(err instanceof PinwatchError && err.code === "PW_E_CONFIG", String(err));
    assert.match(err.message, /lists\.0\.source\./);
    assert.match(err.message, why);
    return true;
  }, JSON.stringify(source));
}

test("inbox URLs and local paths are accepted", () => {
  for (const url of ["https://lore.kernel.org/linux-mm", "https://lore.kernel.org/linux-mm/", "http://127.0.0.1:8080/io-uring", "/srv/inboxes/linux-mm", "var/mirror.bundle", "/srv/lone/0.git"]) {
    assert.equal((accepted({ type: "git", url }) as { url: string }).url, url);
  }
  assert.equal((accepted({ type: "atom", url: "https://lore.kernel.org/linux-mm" }) as { url: string }).url, "https://lore.kernel.org/linux-mm");
  assert.equal((accepted({ type: "nntp", host: "nntp.lore.kernel.org", group: "org.kvack.linux-mm" }) as { host: string }).host, "nntp.lore.kernel.org");
  assert.equal((accepted({ type: "nntp", host: "::1", group: "test.x" }) as { host: string }).host, "::1");
});

test("an epoch, a manifest, a feed or a message instead of the inbox is refused, with the inbox's form", () => {
  for (const url of ["https://lore.kernel.org/linux-mm/git/0.git", "https://lore.kernel.org/linux-mm/0", "https://lore.kernel.org/linux-mm/1.git", "https://lore.kernel.org/linux-mm/manifest.js.gz"]) {
    refused({ type: "git", url }, /an epoch or a page inside an inbox .*give the inbox itself, such as https:\/\/lore\.kernel\.org\/linux-mm/);
  }
  refused({ type: "atom", url: "https://lore.kernel.org/linux-mm/new.atom" }, /inside an inbox/);
  refused({ type: "atom", url: "https://lore.kernel.org/linux-mm/20250101.1-1-a@b/raw" }, /inside an inbox/);
  refused({ type: "git", url: "/srv/inboxes/linux-mm/git/0.git" }, /one epoch of an inbox: give the inbox directory/);
});

test("other schemes, queries, logins and bare hosts are refused", () => {
  refused({ type: "git", url: "git://lore.kernel.org/linux-mm" }, /git:\/\/ is not read/);
  refused({ type: "atom", url: "ftp://lore.kernel.org/linux-mm" }, /ftp:\/\/ is not read/);
  refused({ type: "atom", url: "/srv/inboxes/linux-mm" }, /an http\(s\) URL/);
  refused({ type: "git", url: "https://lore.kernel.org/linux-mm?x=A" }, /no query or fragment/);
  refused({ type: "git", url: "https://user:secret@lore.kernel.org/linux-mm" }, /no login in the URL/);
  refused({ type: "git", url: "https://lore.kernel.org/" }, /the inbox's name is missing/);
  refused({ type: "nntp", host: "nntp://nntp.lore.kernel.org", group: "org.kvack.linux-mm" }, /lists\.0\.source\.host: a host name .*no nntp:\/\//);
  refused({ type: "nntp", host: "nntp.lore.kernel.org", group: "org kvack" }, /lists\.0\.source\.group: a newsgroup name/);
});

test("lore (where `review <message-id>` reads threads) is checked the same way", () => {
  const lore = (value: Record<string, unknown>) => validateConfig({ lore: value }, "t.yaml").lore;
  assert.equal(lore({}).url, "https://lore.kernel.org/all");
  assert.equal(lore({ url: "http://127.0.0.1:8080/io-uring" }).url, "http://127.0.0.1:8080/io-uring");
  assert.equal(lore({ nntp: { host: "nntp.lore.kernel.org" } }).nntp?.host, "nntp.lore.kernel.org");
  for (const [value, why] of [
    [{ url: "https://lore.kernel.org/all/new.atom" }, /lore\.url: an epoch or a page inside an inbox/],
    [{ url: "https://lore.kernel.org/" }, /lore\.url: the inbox's name is missing/],
    [{ url: "lore.kernel.org/all" }, /lore\.url: an http\(s\) URL/],
    [{ nntp: { host: "nntp://nntp.lore.kernel.org" } }, /lore\.nntp\.host: a host name .*no nntp:\/\//],
  ] as const) {
    assert.throws(() => lore(value), (err: unknown) => err instanceof PinwatchError && err.code === "PW_E_CONFIG" && why.test(err.message), JSON.stringify(value));
  }
});
