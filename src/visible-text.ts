// Text from mail shown on a terminal: every control character is written as
// a visible escape, never sent raw. A crafted subject with ESC sequences can
// otherwise set the terminal's title, clear the screen or hide text; a
// binary input echoed raw does worse. Bidirectional overrides are escaped
// too, since they make a line read differently from what it holds.

/**
 * C0 controls and DEL, C1 controls, the Unicode line and paragraph
 * separators, and the bidirectional marks, embeddings, overrides and isolates.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
/** The same less C0: JSON.stringify escapes those inside strings, and its indentation is made of them. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

function escape(ch: string): string {
  const code = ch.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

export interface VisibleOptions {
  /** Keep line feeds (multi-line text such as a mail body); a CR before one goes. */
  newlines?: boolean;
  /** Keep tabs (quoted code). */
  tabs?: boolean;
}

/** `text` with every control character made visible as \xNN or \uNNNN. */
export function visible(text: string, options: VisibleOptions = {}): string {
  const source = options.newlines ? text.replace(/\r\n/g, "\n") : text;
  return source.replace(UNSAFE, (ch) => ((ch === "\n" && options.newlines) || (ch === "\t" && options.tabs) ? ch : escape(ch)));
}

/**
 * JSON for a terminal or a pipe: JSON.stringify escapes C0 controls already;
 * DEL, C1 controls, separators and bidi controls are escaped here as \uNNNN
 * (they only ever occur inside strings, so the document stays valid JSON).
 */
export function visibleJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE_IN_JSON, (ch) => `\\u${ch.codePointAt(0)!.toString(16).padStart(4, "0")}`);
}
