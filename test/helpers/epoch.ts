// Writes commits the way public-inbox does: one per message, holding the
// message in the blob `m`, or a deletion as the blob `d`.
import { execFileSync, spawnSync } from "node:child_process";

export interface EpochEntry {
  m?: string | Buffer;
  d?: string | Buffer;
}

/** Commits the entries in order on the epoch's master, the first at time `when`, each next one a second later. */
export function commitMessages(gitDir: string, entries: EpochEntry[], when: number): void {
  const tip = spawnSync("git", ["rev-parse", "-q", "--verify", "refs/heads/master"], { cwd: gitDir, encoding: "utf8" }).stdout.trim();
  const parts: Buffer[] = [];
  const blob = (name: string, content: string | Buffer) => {
    const bytes = Buffer.from(content);
    parts.push(Buffer.from(`M 100644 inline ${name}\ndata ${bytes.length}\n`), bytes, Buffer.from("\n"));
  };
  entries.forEach((entry, i) => {
    // Within one stream each commit continues from the one before.
    parts.push(Buffer.from(`commit refs/heads/master\ncommitter pinwatch tests <t@example.org> ${when + i} +0000\ndata 0\n${i === 0 && tip ? `from ${tip}\n` : ""}`));
    if (entry.d !== undefined) {
      parts.push(Buffer.from("D m\n"));
      blob("d", entry.d);
    } else {
      blob("m", entry.m!);
    }
  });
  execFileSync("git", ["fast-import", "--quiet", "--date-format=raw"], { cwd: gitDir, input: Buffer.concat(parts) });
}

export function commitMessage(gitDir: string, entry: EpochEntry, when: number): void {
  commitMessages(gitDir, [entry], when);
}
