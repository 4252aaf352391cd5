// Summaries of the functions a patch (or its series) defines, in the spirit
// of smatch's return states: what a call does to the pages it is given
// (releases them, and with what), whether it returns or fills in pages it
// acquired (and on which returns), whether it hands pages to a device or the
// CPU writes them, and whether it may sleep. A summary is computed by running
// the engine over the function with its parameters bound to stand-in pages,
// callees first; an effect that holds on some paths only is "maybe" and never
// counts as a release.
import { apiRow, argIndex } from "../api/catalog.js";
import type { AcquireMode, ApiRow, ReleaseEffect, ReleaseKind, SinkEffect } from "../api/effect-types.js";
import type { Expr } from "./c-ast.js";
import { buildCfg } from "./cfg.js";
import { DEAD, Engine, type AnalysisEnv, type FunctionAnalysis } from "./engine.js";
import type { PathState } from "./state.js";
import type { FunctionView } from "./source-view.js";
import { ALL_OUTCOMES, FULL, NEG, SHORT, ZERO, exprText, keyOf, objOf, stripCasts, type Site, type Val } from "./values.js";

/** Stand-in objects for parameters get ids from here (never clash with call sites). */
const PARAM_BASE = 9_000_000;

interface ParamRelease {
  param: number;
  kind: ReleaseKind;
  shape: ReleaseEffect["shape"];
  /** The parameter that gives the count, if one does. */
  countParam?: number;
  /** The releaser used inside. */
  via: ApiRow;
  /** Which stand-in: the array itself, or the array `*param` points to. */
  deref: boolean;
}

interface ReturnedPages {
  /** "return" or the index of the out-parameter filled in. */
  where: "return" | number;
  site: Site;
  /** Return-value outcomes on which the pages are held. */
  holds: number;
  /** Return-value outcomes possible at all. */
  outcomes: number;
  form: "arr" | "page";
  /** The pages are in the array the parameter points to (filled in place), not stored through it. */
  inPlace?: boolean;
  /** The parameter that gives the count asked for, when the count is one. */
  countParam?: number;
}

interface ParamSink {
  param: number;
  sink: SinkEffect;
  call: string;
  memory?: "read" | "written" | "both";
}

export class Summary {
  readonly releases: ParamRelease[] = [];
  readonly returned: ReturnedPages[] = [];
  readonly sinks: ParamSink[] = [];
  sleep?: { why: string; chain: string[]; gup: boolean };
  /** Returns a kernel mapping of a parameter's page. */
  mapsParam?: { param: number; row: ApiRow };

  constructor(readonly name: string) {}

  /** Nothing a caller needs to know. */
  get empty(): boolean {
    return this.releases.length === 0 && this.returned.length === 0 && this.sinks.length === 0 && !this.sleep && !this.mapsParam;
  }

  /** The argument position whose pages a call releases, for loop scans. */
  releasesParam(): number | undefined {
    return this.releases.find((r) => !r.deref)?.param;
  }

  /** Applies the summary at a call: releases, sinks, sleep, then what it returns. */
  apply(engine: Engine, call: Expr & { k: "call" }, args: (Val | undefined)[], st: PathState): Val | undefined | typeof DEAD {
    if (this.sleep) engine.observeSleep(this.name, this.sleep.why, [this.name, ...this.sleep.chain], this.sleep.gup, st);
    for (const r of this.releases) {
      const argExpr = call.args[r.param];
      if (!argExpr) continue;
      const target = r.deref ? derefVal(argExpr, st) : args[r.param];
      const rel: ReleaseEffect = { kind: r.kind, target: 0, shape: r.shape, count: r.countParam === undefined ? undefined : 1 };
      const countExpr = r.countParam === undefined ? undefined : call.args[r.countParam];
      const synthetic: Expr & { k: "call" } = { k: "call", fn: r.via.name, callee: { k: "id", name: r.via.name, row: call.row }, args: countExpr ? [argExpr, countExpr] : [argExpr], row: call.row, endRow: call.endRow };
      engine.release(r.via, rel, synthetic, countExpr ? [target, args[r.countParam!]] : [target], st, this.name);
    }
    for (const s of this.sinks) {
      const v = args[s.param];
      const id = objOf(v);
      if (id === undefined) continue;
      const row = apiRow(s.call);
      if (row) engine.applyRow({ ...row, sinks: [{ ...s.sink, arg: 0 }], release: undefined, acquire: undefined, sleeps: undefined, dirty: undefined }, { ...call, args: [call.args[s.param]!] }, [v], st, this.name);
    }
    // Arguments not covered by an effect above may be kept by the callee.
    engine.escapeContainers(call.args.filter((_, i) => !this.releases.some((r) => r.param === i) && !this.sinks.some((s) => s.param === i)), st);
    for (let i = 0; i < args.length; i++) {
      if (this.releases.some((r) => r.param === i) || this.sinks.some((s) => s.param === i)) continue;
      if (this.mapsParam?.param === i) continue;
      const id = objOf(args[i]);
      if (id !== undefined) engine.escape(id, st);
    }
    let result: Val | undefined;
    if (this.mapsParam) {
      const v = args[this.mapsParam.param];
      const id = objOf(v);
      if (id !== undefined) result = { t: "vaddr", obj: id, safe: !!this.mapsParam.row.map?.highmemSafe, mapper: this.mapsParam.row.name, node: 0 };
    }
    for (const r of this.returned) {
      const id = engine.newSiteId(r.where === "return" ? 0 : r.where + 1);
      const site: Site = { ...r.site, id, via: this.name, holds: r.holds, key: undefined, node: engine.currentNode };
      // The count is the caller's argument: get_user_pages_remote_unlocked(mm, hva, 1, ...) asks for one page.
      const countArg = r.countParam === undefined ? undefined : call.args[r.countParam];
      if (countArg) {
        site.count = exprText(countArg);
        site.single = site.count === "1";
      }
      engine.registerSite(site, st, site.single ? r.outcomes & ~SHORT : r.outcomes);
      const val: Val = r.form === "arr" ? { t: "arr", obj: id } : { t: "page", obj: id, rel: "same", yields: "page", element: false };
      if (r.where === "return") {
        result = val;
      } else {
        const a = call.args[r.where];
        const key = !a ? undefined : r.inPlace ? keyOf(stripCasts(a)) : outKey(a);
        if (key) st.set(key, val);
        result ??= { t: "ret", obj: id };
      }
    }
    return result;
  }
}

function derefVal(e: Expr, st: PathState): Val | undefined {
  const key = outKey(e);
  return key ? st.env.get(key) : undefined;
}

/** The key a `&x` (or `p`, meaning *p) argument writes through. */
function outKey(e: Expr): string | undefined {
  const x = stripCasts(e);
  if (x.k === "unary" && x.op === "&") return keyOf(x.arg);
  const k = keyOf(x);
  return k === undefined ? undefined : `*${k}`;
}

/** The parameter's type is struct page/folio with `pointers` levels of pointer. */
function pagesParam(view: FunctionView, index: number): { pointers: number } | undefined {
  const p = view.pieces[0]!.ast.params[index];
  if (!p || (p.type.struct !== "page" && p.type.struct !== "folio")) return undefined;
  return { pointers: p.type.pointers + (p.type.array ? 1 : 0) };
}

export interface StandIn {
  param: number;
  /** The stand-in is the array `*param` points to (a `struct page ***` parameter). */
  deref: boolean;
}

/**
 * Binds stand-in pages to a function's page parameters (struct page *, **,
 * ***): what the function does to them tells what it does to its callers'
 * pages, and which way it releases them tells how they were taken.
 */
export function bindStandIns(view: FunctionView, st: PathState, eng: Engine, out: Map<number, StandIn>): void {
  const params = view.pieces[0]!.ast.params;
  params.forEach((p, i) => {
    const shape = pagesParam(view, i);
    if (!shape) return;
    const id = PARAM_BASE + i * 2;
    const site: Site = { id, call: `${view.name}:${p.name}`, row: { name: p.name, about: "a parameter" }, mode: "pin", node: 0, single: shape.pointers === 1, holds: FULL, inferred: true, key: p.name };
    if (shape.pointers === 1) {
      eng.addSite(site, st);
      st.putEnv(p.name, { t: "page", obj: id, rel: "same", yields: p.type.struct === "folio" ? "folio" : "page", element: false });
      out.set(id, { param: i, deref: false });
    } else if (shape.pointers === 2) {
      eng.addSite(site, st);
      st.putEnv(p.name, { t: "arr", obj: id });
      out.set(id, { param: i, deref: false });
    } else if (shape.pointers === 3) {
      eng.addSite({ ...site, id: id + 1, key: `*${p.name}` }, st);
      st.putEnv(`*${p.name}`, { t: "arr", obj: id + 1 });
      out.set(id + 1, { param: i, deref: true });
    }
  });
}

/** How the function's own releases of each stand-in say its pages were taken (one kind only, else unknown). */
export function inferModes(analysis: FunctionAnalysis, standIns: ReadonlyMap<number, StandIn>): Map<number, AcquireMode> {
  const out = new Map<number, AcquireMode>();
  for (const id of standIns.keys()) {
    const kinds = new Set(analysis.observations.filter((o) => o.k === "release" && o.obj === id).map((o) => (o as { release: ReleaseEffect }).release.kind));
    if (kinds.size !== 1) continue;
    const kind = [...kinds][0]!;
    if (kind === "put") out.set(id, "get");
    else if (kind === "unpin" || kind === "put-user-page") out.set(id, "pin");
    else if (kind === "unpin-folio") out.set(id, "pin-folio");
  }
  return out;
}

/** Computes a summary from a whole function's analysis with stand-ins for its page parameters. */
export function summarise(view: FunctionView, env: AnalysisEnv): Summary | undefined {
  if (!view.whole || !view.headShown || !view.name) return undefined;
  const summary = new Summary(view.name);
  const cfg = buildCfg(view);
  const params = view.pieces[0]!.ast.params;
  const standIns = new Map<number, StandIn>();
  const engine = new Engine(view, cfg, env, 0, (st, eng) => bindStandIns(view, st, eng, standIns));
  const analysis: FunctionAnalysis = engine.run();
  if (analysis.capped) return undefined;
  const exits = analysis.observations.filter((o) => o.k === "exit");

  // Releases of a parameter's pages that happen on every path to a return.
  for (const [id, standIn] of standIns) {
    const releases = analysis.observations.filter((o): o is Extract<typeof o, { k: "release" }> => o.k === "release" && o.obj === id);
    if (releases.length === 0) continue;
    // Paths on which the parameter is NULL have nothing to release.
    const paramName = params[standIn.param]!.name;
    const live = analysis.exitStates.filter((s) => !s.nulls.has(paramName));
    const onEveryPath = live.length > 0 && live.every((s) => {
      const o = s.obj(id);
      return !!o && o.status === "released";
    });
    const first = releases[0]!;
    const kinds = new Set(releases.map((r) => r.release.kind));
    if (!onEveryPath || kinds.size !== 1) continue;
    // The count given to the release, or the bound of the loop that released element by element.
    const count = first.count ?? live.map((s) => s.obj(id)?.releasedCount).find((c) => c !== undefined);
    const countParam = count ? params.findIndex((p) => p.name === count) : -1;
    summary.releases.push({
      param: standIn.param, kind: first.release.kind, shape: first.elementwise ? "array" : first.release.shape,
      countParam: countParam >= 0 ? countParam : undefined, via: first.row, deref: standIn.deref,
    });
  }

  // Pages the parameters carry to a device or to CPU writes.
  for (const o of analysis.observations) {
    if (o.k !== "sink") continue;
    const standIn = standIns.get(o.obj);
    if (!standIn || standIn.deref) continue;
    if (!summary.sinks.some((s) => s.param === standIn.param && s.sink.access === o.sink.access)) {
      summary.sinks.push({ param: standIn.param, sink: o.sink, call: o.call, memory: o.memory });
    }
  }

  // A mapping of a parameter's page, returned.
  const mapExits = exits.filter((e) => e.value?.t === "vaddr" && standIns.has(e.value.obj));
  if (mapExits.length > 0 && mapExits.length === exits.filter((e) => !e.void).length) {
    const v = mapExits[0]!.value as Val & { t: "vaddr" };
    const row = apiRow(v.mapper);
    if (row) summary.mapsParam = { param: standIns.get(v.obj)!.param, row };
  }

  // Pages acquired inside and handed back, by return value or out-parameter.
  const acquired = [...analysis.sites.values()].filter((s) => !s.inferred);
  for (const site of acquired) {
    let where: "return" | number | undefined;
    let form: "arr" | "page" = "arr";
    let holds = 0;
    let outcomes = 0;
    let consistent = true;
    let filledInPlace = false;
    for (const e of exits) {
      const o = e.st.obj(site.id);
      const retMask = returnMask(e.value, e.st);
      outcomes |= retMask;
      if (!o || o.status === "released" || (o.outcome & site.holds) === 0) continue;
      // Filled in place: the caller's array, passed as a `struct page **` parameter.
      const inPlace = site.key !== undefined ? params.findIndex((p, i) => p.name === site.key && pagesParam(view, i)?.pointers === 2) : -1;
      if (inPlace >= 0) {
        where = inPlace;
        form = "arr";
        filledInPlace = true;
        // Returning the acquisition's own result: the pages are held exactly when it says so.
        holds |= e.value?.t === "ret" && e.value.obj === site.id ? site.holds : retMask;
        continue;
      }
      if (o.status !== "escaped") {
        consistent = false;
        continue;
      }
      // Handed back: by the return value, or stored through an out-parameter.
      if (objOf(e.value) === site.id) {
        where = "return";
        form = e.value?.t === "page" ? "page" : "arr";
        holds |= FULL;
        continue;
      }
      const store = analysis.observations.find((s) => s.k === "store" && objOf(s.val) === site.id && s.key.startsWith("*"));
      const param = store && store.k === "store" ? params.findIndex((p) => `*${p.name}` === store.key) : -1;
      if (param < 0) {
        consistent = false;
        continue;
      }
      where = param;
      form = store && store.k === "store" && store.val.t === "page" ? "page" : "arr";
      holds |= retMask;
    }
    if (!consistent || where === undefined) continue;
    const countParam = site.count === undefined ? -1 : params.findIndex((p) => p.name === site.count);
    summary.returned.push({
      where, site: { ...site }, holds: where === "return" ? FULL : holds, outcomes: where === "return" ? NEG | ZERO | FULL : outcomes || ALL_OUTCOMES, form,
      inPlace: filledInPlace || undefined, countParam: countParam >= 0 ? countParam : undefined,
    });
  }

  // May sleep, directly or through a callee.
  // Prefer a sleep the GUP API causes (what the rules are about) over any other.
  const sleeps = analysis.observations.filter((o): o is Extract<typeof o, { k: "sleep" }> => o.k === "sleep");
  const sleep = sleeps.find((o) => o.gup) ?? sleeps[0];
  if (sleep) summary.sleep = { why: sleep.why, chain: sleep.chain, gup: sleep.gup };
  return summary.empty ? summary : summary;
}

/** The outcome class of a return value: negative, zero or positive. */
function returnMask(v: Val | undefined, st: PathState): number {
  if (!v) return ALL_OUTCOMES;
  if (v.t === "num") return v.mask & SHORT ? v.mask | FULL : v.mask;
  if (v.t === "ret") {
    const o = st.obj(v.obj);
    return o ? o.outcome : ALL_OUTCOMES;
  }
  if (v.t === "null") return ZERO;
  return ALL_OUTCOMES;
}

export { exprText, argIndex };
