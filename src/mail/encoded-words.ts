// RFC 2047 encoded words in header values, decoded by libmime. A value that
// does not decode is kept as written: a bad header must not lose the message.
import libmime from "libmime";

export function decodeEncodedWords(value: string): string {
  if (!value.includes("=?")) return value;
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}
