// Wraps prose at a column without breaking words (a URL longer than the
// column keeps a line of its own). Quoted diff lines never pass through here.

export function wrapParagraph(text: string, width: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line.length === 0) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Wraps each blank-line-separated paragraph. */
export function wrapText(text: string, width: number): string {
  return text
    .split(/\n{2,}/)
    .map((p) => wrapParagraph(p, width).join("\n"))
    .join("\n\n");
}
