// What the engine knows about a value on one path, and the keys under which
// it stores values: access paths such as `pages`, `umem->pages`, `*pages`,
// `new_array[0]` built from expressions, casts and parentheses stripped.
import type { AcquireMode, ApiRow, ReleaseKind } from "../api/effect-types.js";
import type { Expr } from "./c-ast.js";

/** Possible outcomes of an acquisition, as a bit mask. */
export const NEG = 1;
export const ZERO = 2;
export const SHORT = 4;
export const FULL = 8;
export const ALL_OUTCOMES = NEG | ZERO | SHORT | FULL;
/** Outcomes in which the caller holds pages. */
export const HOLDS = SHORT | FULL;

/** A FOLL_* flags value: the flags set on every path to here, and those set on some. */
export interface FlagsVal {
  must: readonly string[];
  may: readonly string[];
  /** A part of the value is not known (a parameter, a call). */
  open: boolean;
}

export type Val =
  /** The return value of acquisition `obj` (a count, bytes or -errno). */
  | { t: "ret"; obj: number }
  /** The pages of `obj` as an array (or frame vector); `slice` when offset into it. */
  | { t: "arr"; obj: number; slice?: boolean; derived?: "head" | "nth"; derivedAt?: number }
  /** One page of `obj`, or a value derived from one: another page of its folio, its folio, pfn or physical address. */
  | { t: "page"; obj: number; rel: "same" | "head" | "folio" | "nth"; yields: "page" | "pfn" | "phys" | "folio"; element: boolean }
  /** A kernel address of `obj`'s page data. */
  | { t: "vaddr"; obj: number; safe: boolean; mapper: string; node: number }
  /** Kernel memory: pages or an array the kernel allocated. */
  | { t: "kernel"; array: boolean; capacity?: string; at?: number }
  | { t: "null" }
  /** A named constant (ITER_SOURCE, READ, DMA_FROM_DEVICE...). */
  | { t: "const"; name: string }
  | { t: "flags"; flags: FlagsVal }
  /** A number whose sign is known: NEG, ZERO, SHORT|FULL standing for positive. */
  | { t: "num"; mask: number }
  /** An iov_iter built over user or kernel memory, with the direction it was given. */
  | { t: "iter"; backing: "user" | "kernel"; memory?: "read" | "written" | "both"; node: number }
  /** A test's value: a guard call, a data direction. */
  | { t: "guard"; kind: string; of?: Val; arg?: string }
  | { t: "dir"; of?: string }
  /** An address inside memory reached through `root` (a struct the function was given): pages put there belong with it. */
  | { t: "into"; root: string }
  /** A trylock's result. */
  | { t: "trylock"; what: string; node: number }
  /** 0 or -errno from a call that stored pages only if it succeeded: `stored` go back to held when it failed. */
  | { t: "status"; stored: number[] };

/** Where pages come from: one acquisition call. Fixed for the whole analysis. */
export interface Site {
  id: number;
  call: string;
  row: ApiRow;
  mode: AcquireMode;
  node: number;
  /** The requested count, as normalised text. */
  count?: string;
  /** The count is only an upper bound on what the call takes. */
  countIsLimit?: boolean;
  /** One page: no short return. */
  single: boolean;
  /** The flags the call works with: the caller's and those its wrapper adds. */
  flags?: FlagsVal;
  /** The flags the caller passed, before the wrapper adds its own. */
  callerFlags?: FlagsVal;
  /** The key the pages were bound to. */
  key?: string;
  /** The variable the call's result was first stored in. */
  resultKey?: string;
  /** The pages went into storage this function owns: an array it allocated or declared, or a local page variable. */
  localStorage?: boolean;
  /** The declared size of the local array the pages went into. */
  capacity?: string;
  /** The pages went into memory reached through this variable (umem->chunk[i].plist): handing it on hands them on. */
  container?: string;
  /** The iterator (iov_iter acquisitions). */
  iter?: Val;
  /** Assumed at the function's entry from what the function itself does (not acquired here). */
  inferred?: boolean;
  /** The pages went through a helper the patch defines (its name). */
  via?: string;
  /** The outcomes in which the caller holds the pages (a helper returning 0 on success holds on ZERO). */
  holds: number;
}

export type Status = "held" | "released" | "escaped" | "unknown";

/** The state of one acquisition on one path. */
export interface Obj {
  site: Site;
  status: Status;
  outcome: number;
  /** Released or handed on element by element inside a loop not yet left. */
  each?: { op: "release" | "escape"; loop: number; kind?: ReleaseKind };
  /** The count the release was given (normalised text). */
  releasedCount?: string;
  /** get_page() took an extra reference: one put_page() is balanced. */
  extraRef?: boolean;
  dirtied?: boolean;
  /** iov_iter_extract_will_pin() (or the iterator kind) on this path. */
  willPin?: boolean;
  /** PageHighMem() was tested on this path. */
  highmemTested?: boolean;
  /** The array of pages was freed (kfree/kvfree) on this path. */
  freed?: boolean;
  /** Part of the array went back or was released (an unknown share): what is left is not known. */
  partly?: boolean;
  /** A loop that released or handed on the array element by element was left early: the rest is still held. */
  remainder?: boolean;
  /**
   * Inside a loop that hands the array on element by element, a nested loop
   * released elements from the cursor on (`while (i < n) put_page(pages[i++])`):
   * the loop it runs in, then "done" once it finished. Leaving the outer loop
   * early after that leaves nothing held.
   */
  rest?: number | "done";
}

/** Normalised text of an expression: spacing, casts and parentheses dropped. */
export function exprText(e: Expr | undefined): string {
  if (!e) return "";
  const out: string[] = [];
  const stack: (Expr | string)[] = [e];
  let guard = 0;
  while (stack.length > 0 && guard++ < 4000) {
    const x = stack.pop()!;
    if (typeof x === "string") {
      out.push(x);
      continue;
    }
    switch (x.k) {
      case "id":
        out.push(x.name);
        break;
      case "num":
        out.push(x.text.replace(/[uUlL]+$/, ""));
        break;
      case "str":
        out.push('""');
        break;
      case "call":
        stack.push(")");
        for (let i = x.args.length - 1; i >= 0; i--) {
          stack.push(x.args[i]!);
          if (i > 0) stack.push(",");
        }
        stack.push("(");
        stack.push(x.callee);
        break;
      case "field":
        stack.push(x.field, x.arrow ? "->" : ".", x.base);
        break;
      case "index":
        stack.push("]", x.index, "[", x.base);
        break;
      case "unary":
        stack.push(x.arg, x.op);
        break;
      case "binary":
        stack.push(x.right, x.op, x.left);
        break;
      case "assign":
        stack.push(x.right, x.op, x.left);
        break;
      case "cond":
        stack.push(x.else, ":", x.then, "?", x.test);
        break;
      case "cast":
        stack.push(x.arg);
        break;
      case "update":
        stack.push(x.op, x.arg);
        break;
      case "comma":
        for (let i = x.items.length - 1; i >= 0; i--) {
          stack.push(x.items[i]!);
          if (i > 0) stack.push(",");
        }
        break;
      case "list":
        stack.push("{...}");
        break;
      case "stmt-expr":
        stack.push("({...})");
        break;
      case "other":
        out.push(x.text.replace(/\s+/g, ""));
        break;
    }
  }
  return out.join("");
}

/** Strips casts, parentheses and value-passing wrappers the caller resolves. */
export function stripCasts(e: Expr): Expr {
  let x = e;
  for (let guard = 0; x.k === "cast" && guard < 16; guard++) x = x.arg;
  return x;
}

/** The storage key of an lvalue-like expression, or undefined when it has none. */
export function keyOf(e: Expr | undefined): string | undefined {
  if (!e) return undefined;
  const x = stripCasts(e);
  switch (x.k) {
    case "id":
      return x.name;
    case "field": {
      const base = keyOf(x.base);
      return base === undefined ? undefined : `${base}${x.arrow ? "->" : "."}${x.field}`;
    }
    case "index": {
      const base = keyOf(x.base);
      if (base === undefined) return undefined;
      const idx = stripCasts(x.index);
      return idx.k === "num" ? `${base}[${idx.text}]` : `${base}[*]`;
    }
    case "unary":
      if (x.op === "*") {
        const inner = keyOf(x.arg);
        return inner === undefined ? undefined : `*${inner}`;
      }
      if (x.op === "&") {
        const inner = keyOf(x.arg);
        return inner === undefined ? undefined : `&${inner}`;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** The identifier a key starts from. */
export function rootOf(key: string): string {
  const m = /^[*&]*([A-Za-z_]\w*)/.exec(key);
  return m ? m[1]! : key;
}

/** The key is storage of the function itself (a local variable or a member of a local struct), not memory others see. */
export function isLocalKey(key: string, locals: ReadonlySet<string>): boolean {
  if (key.startsWith("*") || key.includes("->")) return false;
  return locals.has(rootOf(key.replace(/^&/, "")));
}

/** The key and every key reached through it (`x`, `x->f`, `x[0]`, `*x`). */
export function dependsOn(key: string, base: string): boolean {
  if (key === base) return true;
  if (key.startsWith(base) && /^(->|\.|\[)/.test(key.slice(base.length))) return true;
  return key.startsWith("*") && dependsOn(key.slice(1), base);
}

export function sameVal(a: Val | undefined, b: Val | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.t !== b.t) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The acquisition a value carries pages of, if any. */
export function objOf(v: Val | undefined): number | undefined {
  if (!v) return undefined;
  if (v.t === "arr" || v.t === "page" || v.t === "vaddr") return v.obj;
  return undefined;
}
