// The C the analysis reads: tree-sitter's tree for one side of a hunk turned
// into small plain objects (statements and expressions with their rows).
// Walking tree-sitter nodes one property at a time crosses into WASM for
// each read; one cursor pass copies what is needed, the tree is freed at once,
// and the result can be cached and shared by every later pass.
import { parseC, type Tree } from "./c-parser.js";

export interface TypeInfo {
  text: string;
  /** An array's declared size, as written. */
  size?: string;
  /** `struct foo` / `union foo`: foo. */
  struct?: string;
  pointers: number;
  array: boolean;
  unsigned: boolean;
}

export type Expr =
  | { k: "id"; name: string; row: number }
  | { k: "num"; text: string; row: number }
  | { k: "str"; row: number }
  | { k: "call"; fn?: string; callee: Expr; args: Expr[]; row: number; endRow: number }
  | { k: "field"; base: Expr; field: string; arrow: boolean; row: number }
  | { k: "index"; base: Expr; index: Expr; row: number }
  | { k: "unary"; op: string; arg: Expr; row: number }
  | { k: "binary"; op: string; left: Expr; right: Expr; row: number }
  | { k: "assign"; op: string; left: Expr; right: Expr; row: number }
  | { k: "cond"; test: Expr; then: Expr; else: Expr; row: number }
  | { k: "cast"; type: string; unsigned: boolean; arg: Expr; row: number }
  | { k: "update"; op: string; arg: Expr; row: number }
  | { k: "comma"; items: Expr[]; row: number }
  | { k: "list"; items: Expr[]; row: number }
  | { k: "stmt-expr"; body: Stmt; row: number }
  | { k: "other"; text: string; row: number };

export interface VarDecl {
  name: string;
  type: TypeInfo;
  init?: Expr;
  row: number;
}

export type Stmt =
  | { k: "expr"; e: Expr; row: number; endRow: number }
  | { k: "decl"; vars: VarDecl[]; row: number; endRow: number }
  | { k: "block"; items: Stmt[]; row: number; endRow: number }
  | { k: "if"; test: Expr; then: Stmt; else?: Stmt; row: number; endRow: number }
  | { k: "while"; test: Expr; body: Stmt; row: number; endRow: number }
  | { k: "do"; body: Stmt; test: Expr; row: number; endRow: number }
  /** A for loop, or a kernel iteration macro (list_for_each_entry(...) { }), whose call is `macro`. */
  | { k: "for"; init?: Stmt; test?: Expr; update?: Expr; body: Stmt; macro?: Expr; row: number; endRow: number }
  | { k: "switch"; test: Expr; body: Stmt; row: number; endRow: number }
  | { k: "case"; value?: Expr; items: Stmt[]; row: number; endRow: number }
  | { k: "return"; e?: Expr; row: number; endRow: number }
  | { k: "goto"; label: string; row: number; endRow: number }
  | { k: "label"; name: string; body?: Stmt; row: number; endRow: number }
  | { k: "break"; row: number; endRow: number }
  | { k: "continue"; row: number; endRow: number }
  /** #if/#ifdef inside a body: either branch may be the compiled one. */
  | { k: "pp-if"; cond: string; then: Stmt[]; else: Stmt[]; row: number; endRow: number }
  /** Code the parser could not read: anything may happen there. */
  | { k: "gap"; row: number; endRow: number; why: string }
  | { k: "empty"; row: number; endRow: number };

export interface Param {
  name: string;
  type: TypeInfo;
}

export interface FunctionAst {
  name: string;
  params: Param[];
  returnType: TypeInfo;
  body: Stmt & { k: "block" };
  row: number;
  endRow: number;
  /** #if/#ifdef conditions around the definition. */
  configs: string[];
}

/** A function-like macro: its parameters and its body's text. */
export interface MacroDef {
  name: string;
  params: string[];
  body: string;
  row: number;
  configs: string[];
}

export interface TranslationAst {
  functions: FunctionAst[];
  macros: MacroDef[];
  /** Statements outside any function (a fragment of a body the wrapper did not close). */
  loose: Stmt[];
  /** Functions declared by a prototype at file level. */
  prototypes: string[];
  /** Rows where the parser gave up. */
  errorRows: number[];
}

/** A node copied out of the tree: only what the conversion reads. */
interface Raw {
  type: string;
  field: string | null;
  named: boolean;
  start: number;
  end: number;
  row: number;
  endRow: number;
  missing: boolean;
  children: Raw[];
}

/** One cursor pass over the tree: no recursion on untrusted input. */
function copyTree(tree: Tree): Raw {
  const cursor = tree.walk();
  const root: Raw = rawOf(cursor);
  const stack: Raw[] = [root];
  try {
    if (!cursor.gotoFirstChild()) return root;
    for (;;) {
      const node = rawOf(cursor);
      const parent = stack[stack.length - 1]!;
      // Punctuation is dropped; operators (unnamed but in a field) are kept.
      const keep = node.named || node.field !== null || node.type === "ERROR";
      if (keep) parent.children.push(node);
      if (keep && cursor.gotoFirstChild()) {
        stack.push(node);
        continue;
      }
      if (!keep && cursor.gotoFirstChild()) {
        // An unnamed node with children (rare): descend, attaching to the same parent.
        stack.push(parent);
        continue;
      }
      for (;;) {
        if (cursor.gotoNextSibling()) break;
        if (!cursor.gotoParent()) return root;
        stack.pop();
        if (stack.length === 0) return root;
      }
    }
  } finally {
    cursor.delete();
  }
}

function rawOf(cursor: ReturnType<Tree["walk"]>): Raw {
  const start = cursor.startPosition;
  const end = cursor.endPosition;
  return {
    type: cursor.nodeType,
    field: cursor.currentFieldName,
    named: cursor.nodeIsNamed,
    start: cursor.startIndex,
    end: cursor.endIndex,
    row: start.row,
    endRow: end.row,
    missing: cursor.nodeIsMissing,
    children: [],
  };
}

const MAX_DEPTH = 400;

class Converter {
  readonly errorRows: number[] = [];
  constructor(private readonly source: string) {}

  text(n: Raw): string {
    return this.source.slice(n.start, n.end);
  }

  child(n: Raw, field: string): Raw | undefined {
    return n.children.find((c) => c.field === field);
  }

  named(n: Raw): Raw[] {
    return n.children.filter((c) => c.named && c.type !== "comment");
  }

  expr(n: Raw | undefined, depth = 0): Expr {
    if (!n) return { k: "other", text: "", row: 0 };
    const row = n.row;
    if (depth > MAX_DEPTH) return { k: "other", text: "", row };
    const d = depth + 1;
    switch (n.type) {
      case "identifier":
      case "field_identifier":
      case "type_identifier":
      case "true":
      case "false":
      case "null":
        return { k: "id", name: this.text(n), row };
      case "number_literal":
      case "char_literal":
        return { k: "num", text: this.text(n), row };
      case "string_literal":
      case "concatenated_string":
        return { k: "str", row };
      case "call_expression": {
        const callee = this.expr(this.child(n, "function"), d);
        const list = this.child(n, "arguments");
        const args = list ? this.named(list).map((a) => this.expr(a, d)) : [];
        return { k: "call", fn: callee.k === "id" ? callee.name : undefined, callee, args, row, endRow: n.endRow };
      }
      case "field_expression": {
        const op = this.child(n, "operator");
        const field = this.child(n, "field");
        return { k: "field", base: this.expr(this.child(n, "argument"), d), field: field ? this.text(field) : "", arrow: op ? this.text(op) === "->" : this.text(n).includes("->"), row };
      }
      case "subscript_expression": {
        const index = this.child(n, "index") ?? this.child(n, "indices");
        return { k: "index", base: this.expr(this.child(n, "argument"), d), index: this.expr(index && index.type === "subscript_argument_list" ? this.named(index)[0] : index, d), row };
      }
      case "pointer_expression":
      case "unary_expression": {
        const op = this.child(n, "operator");
        return { k: "unary", op: op ? this.text(op) : "", arg: this.expr(this.child(n, "argument"), d), row };
      }
      case "binary_expression": {
        const op = this.child(n, "operator");
        return { k: "binary", op: op ? this.text(op) : "", left: this.expr(this.child(n, "left"), d), right: this.expr(this.child(n, "right"), d), row };
      }
      case "assignment_expression": {
        const op = this.child(n, "operator");
        return { k: "assign", op: op ? this.text(op) : "=", left: this.expr(this.child(n, "left"), d), right: this.expr(this.child(n, "right"), d), row };
      }
      case "conditional_expression":
        return { k: "cond", test: this.expr(this.child(n, "condition"), d), then: this.expr(this.child(n, "consequence"), d), else: this.expr(this.child(n, "alternative"), d), row };
      case "cast_expression": {
        const type = this.child(n, "type");
        const t = type ? this.text(type).replace(/\s+/g, " ") : "";
        return { k: "cast", type: t, unsigned: isUnsignedType(t), arg: this.expr(this.child(n, "value"), d), row };
      }
      case "update_expression": {
        const op = this.child(n, "operator");
        return { k: "update", op: op ? this.text(op) : "++", arg: this.expr(this.child(n, "argument"), d), row };
      }
      case "parenthesized_expression": {
        const inner = this.named(n);
        if (inner.length === 1 && inner[0]!.type === "compound_statement") return { k: "stmt-expr", body: this.stmt(inner[0]!, d), row };
        return inner.length === 1 ? this.expr(inner[0], d) : { k: "other", text: this.text(n), row };
      }
      case "comma_expression":
        return { k: "comma", items: [this.expr(this.child(n, "left"), d), this.expr(this.child(n, "right"), d)], row };
      case "initializer_list":
        return { k: "list", items: this.named(n).map((c) => this.expr(c, d)), row };
      case "initializer_pair": {
        const value = this.child(n, "value");
        return this.expr(value, d);
      }
      case "compound_literal_expression":
        return this.expr(this.child(n, "value"), d);
      default:
        if (n.type === "ERROR") this.errorRows.push(n.row);
        return { k: "other", text: this.text(n), row };
    }
  }

  typeOf(typeNode: Raw | undefined, declarator: Raw | undefined): { name?: string; type: TypeInfo } {
    const base = typeNode ? this.text(typeNode).replace(/\s+/g, " ") : "";
    let struct: string | undefined;
    if (typeNode && (typeNode.type === "struct_specifier" || typeNode.type === "union_specifier")) {
      const name = this.child(typeNode, "name");
      if (name) struct = this.text(name);
    }
    let pointers = 0;
    let array = false;
    let name: string | undefined;
    let arraySize: string | undefined;
    let d = declarator;
    for (let guard = 0; d && guard < 32; guard++) {
      if (d.type === "identifier" || d.type === "field_identifier") {
        name = this.text(d);
        break;
      }
      if (d.type === "pointer_declarator" || d.type === "abstract_pointer_declarator") pointers++;
      if (d.type === "array_declarator") {
        array = true;
        const size = this.child(d, "size");
        if (size) arraySize = this.text(size).replace(/\s+/g, "");
      }
      d = this.child(d, "declarator") ?? this.named(d).find((c) => c.type.endsWith("declarator") || c.type === "identifier");
    }
    return { name, type: { text: base, struct, pointers, array, size: arraySize, unsigned: isUnsignedType(base) } };
  }

  decl(n: Raw, depth: number): Stmt {
    const typeNode = this.child(n, "type");
    const vars: VarDecl[] = [];
    for (const c of n.children) {
      if (c.field !== "declarator") continue;
      if (c.type === "init_declarator") {
        const { name, type } = this.typeOf(typeNode, this.child(c, "declarator"));
        if (name) vars.push({ name, type, init: this.expr(this.child(c, "value"), depth + 1), row: c.row });
      } else {
        const { name, type } = this.typeOf(typeNode, c);
        if (name) vars.push({ name, type, row: c.row });
      }
    }
    return { k: "decl", vars, row: n.row, endRow: n.endRow };
  }

  stmts(nodes: Raw[], depth: number): Stmt[] {
    const out: Stmt[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      if (n.type === "comment") continue;
      // A kernel iteration macro parses as a call statement missing its ';'
      // followed by the loop body: read the two as one loop.
      const call = n.type === "expression_statement" ? this.named(n)[0] : undefined;
      if (call && call.type === "call_expression" && isIterationMacro(this.text(this.child(call, "function") ?? call)) && !this.text(n).trimEnd().endsWith(";")) {
        const next = nodes[i + 1];
        const macro = this.expr(call, depth + 1);
        if (next && next.type !== "comment") {
          out.push({ k: "for", macro, body: this.stmt(next, depth + 1), row: n.row, endRow: next.endRow });
          i++;
          continue;
        }
        out.push({ k: "for", macro, body: { k: "empty", row: n.row, endRow: n.row }, row: n.row, endRow: n.endRow });
        continue;
      }
      out.push(this.stmt(n, depth + 1));
    }
    return out;
  }

  stmt(n: Raw, depth = 0): Stmt {
    const row = n.row;
    const endRow = n.endRow;
    if (depth > MAX_DEPTH) return { k: "gap", row, endRow, why: "too deeply nested" };
    const d = depth + 1;
    switch (n.type) {
      case "compound_statement":
        return { k: "block", items: this.stmts(this.named(n), d), row, endRow };
      case "expression_statement": {
        const inner = this.named(n)[0];
        if (!inner) return { k: "empty", row, endRow };
        if (this.hasError(n)) return { k: "gap", row, endRow, why: "unparsed statement" };
        return { k: "expr", e: this.expr(inner, d), row, endRow };
      }
      case "declaration":
        if (this.hasError(n)) return { k: "gap", row, endRow, why: "unparsed declaration" };
        return this.decl(n, d);
      case "if_statement": {
        const alt = this.child(n, "alternative");
        const elseNode = alt && alt.type === "else_clause" ? this.named(alt)[0] : alt;
        return {
          k: "if", test: this.expr(this.child(n, "condition"), d), then: this.stmtOrEmpty(this.child(n, "consequence"), d),
          else: elseNode ? this.stmt(elseNode, d) : undefined, row, endRow,
        };
      }
      case "while_statement":
        return { k: "while", test: this.expr(this.child(n, "condition"), d), body: this.stmtOrEmpty(this.child(n, "body"), d), row, endRow };
      case "do_statement":
        return { k: "do", body: this.stmtOrEmpty(this.child(n, "body"), d), test: this.expr(this.child(n, "condition"), d), row, endRow };
      case "for_statement": {
        const init = this.child(n, "initializer");
        const test = this.child(n, "condition");
        const update = this.child(n, "update");
        return {
          k: "for",
          init: init ? (init.type === "declaration" ? this.decl(init, d) : { k: "expr", e: this.expr(init, d), row: init.row, endRow: init.endRow }) : undefined,
          test: test ? this.expr(test, d) : undefined, update: update ? this.expr(update, d) : undefined,
          body: this.stmtOrEmpty(this.child(n, "body"), d), row, endRow,
        };
      }
      case "switch_statement":
        return { k: "switch", test: this.expr(this.child(n, "condition"), d), body: this.stmtOrEmpty(this.child(n, "body"), d), row, endRow };
      case "case_statement": {
        const value = this.child(n, "value");
        return { k: "case", value: value ? this.expr(value, d) : undefined, items: this.stmts(this.named(n).filter((c) => c.field !== "value"), d), row, endRow };
      }
      case "return_statement": {
        const e = this.named(n)[0];
        return { k: "return", e: e ? this.expr(e, d) : undefined, row, endRow };
      }
      case "goto_statement": {
        const label = this.child(n, "label");
        return { k: "goto", label: label ? this.text(label) : "", row, endRow };
      }
      case "labeled_statement": {
        const label = this.child(n, "label");
        const body = this.named(n).filter((c) => c.field !== "label");
        return { k: "label", name: label ? this.text(label) : "", body: body[0] ? this.stmt(body[0], d) : undefined, row, endRow };
      }
      case "break_statement":
        return { k: "break", row, endRow };
      case "continue_statement":
        return { k: "continue", row, endRow };
      case "preproc_if":
      case "preproc_ifdef":
      case "preproc_elif":
      case "preproc_elifdef": {
        const alt = this.child(n, "alternative");
        const body = this.named(n).filter((c) => c.field !== "alternative" && c.field !== "condition" && c.field !== "name");
        return { k: "pp-if", cond: this.ppCondition(n), then: this.stmts(body, d), else: alt ? this.ppElse(alt, d) : [], row, endRow };
      }
      case "preproc_call":
      case "preproc_def":
      case "preproc_function_def":
      case "preproc_include":
      case "comment":
      case ";":
        return { k: "empty", row, endRow };
      case "type_definition":
      case "struct_specifier":
      case "enum_specifier":
      case "union_specifier":
        return { k: "empty", row, endRow };
      default:
        this.errorRows.push(row);
        return { k: "gap", row, endRow, why: n.type };
    }
  }

  ppCondition(n: Raw): string {
    const name = this.child(n, "name");
    const cond = this.child(n, "condition");
    const directive = this.text(n).split("\n")[0]!.trim();
    if (n.type === "preproc_ifdef") return `${/^#\s*ifndef/.test(directive) ? "!" : ""}defined(${name ? this.text(name) : ""})`;
    return cond ? this.text(cond).replace(/\s+/g, " ") : directive;
  }

  ppElse(n: Raw, depth: number): Stmt[] {
    if (n.type === "preproc_else") return this.stmts(this.named(n), depth);
    return [this.stmt(n, depth)];
  }

  stmtOrEmpty(n: Raw | undefined, depth: number): Stmt {
    return n ? this.stmt(n, depth) : { k: "empty", row: 0, endRow: 0 };
  }

  /**
   * The statement has a parse error that may hide code. An ERROR inside an
   * argument list that holds no call is a macro taking a type (min_t(unsigned
   * int, a, b), container_of(p, struct foo, m)): harmless.
   */
  hasError(n: Raw): boolean {
    const stack: { node: Raw; parent?: Raw }[] = [{ node: n }];
    while (stack.length > 0) {
      const { node, parent } = stack.pop()!;
      if (node.missing) return true;
      if (node.type === "ERROR") {
        if (parent?.type !== "argument_list" || this.containsCall(node)) return true;
        continue;
      }
      for (const c of node.children) stack.push({ node: c, parent: node });
    }
    return false;
  }

  containsCall(n: Raw): boolean {
    const stack = [n];
    while (stack.length > 0) {
      const c = stack.pop()!;
      if (c.type === "call_expression" || this.text(c).includes("(")) return true;
      stack.push(...c.children);
    }
    return false;
  }

  functionOf(n: Raw, configs: string[]): FunctionAst | undefined {
    const body = this.child(n, "body");
    const declarator = this.child(n, "declarator");
    if (!body || !declarator) return undefined;
    let fnDecl: Raw | undefined = declarator;
    let pointers = 0;
    for (let guard = 0; fnDecl && fnDecl.type !== "function_declarator" && guard < 16; guard++) {
      if (fnDecl.type === "pointer_declarator") pointers++;
      fnDecl = this.child(fnDecl, "declarator");
    }
    if (!fnDecl) return undefined;
    const nameNode = this.child(fnDecl, "declarator");
    const name = nameNode ? this.text(nameNode) : "";
    if (!/^[A-Za-z_]\w*$/.test(name)) return undefined;
    const params: Param[] = [];
    const list = this.child(fnDecl, "parameters");
    for (const p of list ? this.named(list) : []) {
      if (p.type !== "parameter_declaration") continue;
      const { name: pname, type } = this.typeOf(this.child(p, "type"), this.child(p, "declarator"));
      if (pname) params.push({ name: pname, type });
    }
    const ret = this.typeOf(this.child(n, "type"), undefined).type;
    ret.pointers += pointers;
    const block = this.stmt(body) as Stmt & { k: "block" };
    return { name, params, returnType: ret, body: block, row: n.row, endRow: n.endRow, configs };
  }

  /** `int foo(struct page **p);` declares foo. */
  prototypeName(n: Raw): string | undefined {
    for (const c of n.children) {
      if (c.field !== "declarator") continue;
      let d: Raw | undefined = c;
      for (let guard = 0; d && guard < 16 && d.type !== "function_declarator"; guard++) d = this.child(d, "declarator");
      const name = d ? this.child(d, "declarator") : undefined;
      if (name && name.type === "identifier") return this.text(name);
    }
    return undefined;
  }

  macroOf(n: Raw, configs: string[]): MacroDef | undefined {
    const name = this.child(n, "name");
    const params = this.child(n, "parameters");
    const value = this.child(n, "value");
    if (!name || !params || !value) return undefined;
    return {
      name: this.text(name),
      params: this.named(params).map((p) => this.text(p)),
      body: this.text(value).replace(/\\\n/g, " "),
      row: n.row,
      configs,
    };
  }
}

const ITERATION_MACRO = /(?:^|_)for_each(?:_|$)/;

/** Kernel iteration macros (list_for_each_entry, bio_for_each_segment...) all name themselves so (.clang-format's ForEachMacros). */
export function isIterationMacro(name: string): boolean {
  return ITERATION_MACRO.test(name);
}

function isUnsignedType(text: string): boolean {
  return /\b(unsigned|u8|u16|u32|u64|size_t|__u32|__u64|uint\d+_t)\b/.test(text) && !/\*/.test(text);
}

/** Parses C text (a hunk side, possibly wrapped) into functions, macros and loose statements. */
export function parseTranslation(source: string): TranslationAst {
  const tree = parseC(source);
  let root: Raw;
  try {
    root = copyTree(tree);
  } finally {
    tree.delete();
  }
  const conv = new Converter(source);
  const out: TranslationAst = { functions: [], macros: [], loose: [], prototypes: [], errorRows: conv.errorRows };
  // Top level: functions and macros, looking inside #if blocks (with their conditions).
  const stack: { node: Raw; configs: string[] }[] = [{ node: root, configs: [] }];
  while (stack.length > 0) {
    const { node, configs } = stack.pop()!;
    const items = conv.named(node).filter((c) => c.field !== "name" && c.field !== "condition");
    for (let i = items.length - 1; i >= 0; i--) {
      const c = items[i]!;
      if (c.type === "function_definition") {
        const fn = conv.functionOf(c, configs);
        if (fn) out.functions.push(fn);
      } else if (c.type === "preproc_function_def") {
        const m = conv.macroOf(c, configs);
        if (m) out.macros.push(m);
      } else if (c.type === "preproc_if" || c.type === "preproc_ifdef" || c.type === "preproc_elif" || c.type === "preproc_else") {
        const cond = c.type === "preproc_else" ? "" : conv.ppCondition(c);
        stack.push({ node: c, configs: cond ? [...configs, cond] : configs });
      } else if (c.type === "ERROR") {
        conv.errorRows.push(c.row);
        stack.push({ node: c, configs });
      } else if (c.type === "declaration") {
        const name = conv.prototypeName(c);
        if (name) out.prototypes.push(name);
      } else if (/statement$/.test(c.type) && c.type !== "expression_statement") {
        out.loose.push(conv.stmt(c));
      }
    }
  }
  out.functions.sort((a, b) => a.row - b.row);
  out.macros.sort((a, b) => a.row - b.row);
  return out;
}
