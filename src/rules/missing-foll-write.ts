// FOLL_WRITE asks GUP for pages the caller may write (it breaks
// copy-on-write). Reported where, on every path, pages acquired with flags
// known to lack FOLL_WRITE (or from an iterator built as a data source) are
// written by the CPU, mapped for a device to write, or dirtied on release;
// and where an iov_iter's direction is the opposite of the request's, so the
// pages a device writes are extracted as a source.
import { apiRow } from "../api/catalog.js";
import type { FunctionAnalysis } from "../analysis/engine.js";
import type { PathState } from "../analysis/state.js";
import type { Obj } from "../analysis/values.js";
import type { Candidate, Rule, RuleContext } from "./types.js";
import { CASE_URL } from "./types.js";
import { byNode, callName, everyPath } from "./utils/observations.js";

/** The acquisition surely did not ask for write access (flags known, or an iterator built as a source). */
function readOnly(o: Obj): string | undefined {
  const site = o.site;
  if (site.row.acquire?.iter !== undefined) {
    return site.iter?.t === "iter" && site.iter.memory === "read" ? "an iterator built as a data source (ITER_SOURCE)" : undefined;
  }
  const f = site.flags;
  if (!f || f.open || f.may.some((name) => apiRow(name)?.flag?.write)) return undefined;
  return f.must.length > 0 ? f.must.join(" | ") : "no write flag";
}

/** The memory the request has the device write (true), read (false), or unknown, on this path. */
function deviceWrites(st: PathState): boolean | undefined {
  const read = st.facts.get("@request-memory-read");
  if (read !== undefined) return !read;
  for (const [k, v] of st.facts) if (k.startsWith("@dir:")) return v;
  return undefined;
}

export const missingFollWrite: Rule = {
  meta: {
    id: "missing-foll-write",
    category: "missing-foll-write",
    severity: "error",
    cases: ["case1", "case2"],
    description: "Pages acquired without write access (no FOLL_WRITE, or a source iterator) that are then written.",
    citation: { title: "pin_user_pages.rst: CASE 1: Direct IO (DIO)", url: CASE_URL.case1 },
    messages: {
      written:
        "{{acquire}} is called with {{flags}}, without FOLL_WRITE, but the pages are written here ({{how}}). Without " +
        "FOLL_WRITE GUP does not break copy-on-write, so the write can land in a page still shared with another " +
        "process, or be lost. Please ask for write access whenever anything writes into these pages.",
      iterDirection:
        "When the device writes into this buffer (a read), the iterator is built as a data source, so " +
        "iov_iter_extract_pages() pins the pages without FOLL_WRITE and the device writes into pages GUP was not " +
        "asked to make writable{{otherSide}}; the direction here looks inverted.",
    },
  },
  check(fn: FunctionAnalysis, _context: RuleContext): Candidate[] {
    const out: Candidate[] = [];
    const writes: { node: number; obj: number; how: string; list: { path: number }[] }[] = [];
    for (const [node, list] of byNode(fn, "sink")) {
      const written = list.filter((o) => o.memory === "written" || o.memory === "both");
      if (written.length === 0) continue;
      const how = written[0]!.sink.access === "cpu-write" ? `${written[0]!.call}() writes them` : `${written[0]!.call}() maps them for the device to write`;
      writes.push({ node, obj: written[0]!.obj, how, list: written });
    }
    for (const [node, list] of byNode(fn, "dirty")) writes.push({ node, obj: list[0]!.obj, how: `${list[0]!.call}() marks them dirty`, list });
    for (const [node, list] of byNode(fn, "release")) {
      // A make_dirty computed at run time only may dirty: only a literal true counts.
      const dirtied = list.filter((o) => o.obj !== undefined && (o.release.dirty === "always" || o.dirtyArg === "true" || o.dirtyArg === "1"));
      if (dirtied.length > 0) writes.push({ node, obj: dirtied[0]!.obj!, how: `${dirtied[0]!.call}() dirties them`, list: dirtied });
    }
    for (const w of writes) {
      const states = fn.observations.filter((o) => o.node === w.node && "obj" in o && o.obj === w.obj);
      const obj = states[0]?.st.obj(w.obj);
      if (!obj || obj.site.inferred) continue;
      const flags = readOnly(obj);
      if (!flags || !states.every((o) => !!o.st.obj(w.obj) && readOnly(o.st.obj(w.obj)!)) || !everyPath(fn, w.node, w.list as never)) continue;
      out.push({
        messageId: "written",
        data: { acquire: callName(obj.site), flags, how: w.how },
        anchors: [obj.site.node, w.node], related: [w.node],
        key: `written|${obj.site.call}|${w.how}`,
      });
    }
    // An iterator whose direction contradicts the request's on every path.
    for (const [node, list] of byNode(fn, "iter")) {
      if (!everyPath(fn, node, list)) continue;
      // Only a user-backed iterator is pinned (with FOLL_WRITE for a destination): a kernel-backed one takes no pins.
      if (!list.every((o) => o.iter.t === "iter" && o.iter.backing === "user")) continue;
      const judged = list.map((o) => ({ o, writes: deviceWrites(o.st), memory: o.iter.t === "iter" ? o.iter.memory : undefined }));
      if (!judged.every((j) => j.writes !== undefined && j.memory !== undefined && j.memory !== "both" && (j.memory === "written") !== j.writes)) continue;
      if (!judged.some((j) => j.writes && j.memory === "read")) continue;
      // Both request directions inverted: say the write side too (it asks for FOLL_WRITE on a buffer the device reads).
      const otherSide = judged.some((j) => !j.writes && j.memory === "written")
        ? ", and for a write it is built as a destination, which asks for write access to a buffer the device only reads"
        : "";
      out.push({ messageId: "iterDirection", data: { otherSide }, anchors: [node], key: `iter-direction|${list[0]!.call}` });
    }
    return out;
  },
};
