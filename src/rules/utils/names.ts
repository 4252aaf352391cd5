// Matching C names inside expression text (conditions, arguments) that the
// facts keep as text: whole identifiers only, so "ret" never matches "ret2"
// or "ctx->ret".

export function escapeRegExp(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `text` uses the variable `name` (not a longer name, not a field of something else). */
export function mentions(text: string, name: string): boolean {
  return new RegExp(`(?<![\\w>.])${escapeRegExp(name)}(?!\\w)`).test(text);
}
