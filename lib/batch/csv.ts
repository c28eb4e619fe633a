/**
 * A streaming RFC 4180 reader over decoded lines: quoted fields may hold the delimiter, doubled
 * quotes and newlines; each record carries the line number where it starts, for error messages.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** Picks the delimiter that splits the header line into the most fields. */
export function sniffDelimiter(headerLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of [',', '\t', ';', '|']) {
    const n = splitUnquoted(headerLine, d);
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

function splitUnquoted(line: string, d: string): number {
  let n = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === d && !quoted) n++;
  }
  return n;
}

export const MAX_RECORD_CHARS = 2_000_000;

export async function* csvRecords(
  lines: AsyncIterable<{ line: number; text: string }>,
  delimiter: string,
): AsyncIterable<CsvRecord | { line: number; error: string }> {
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let start = 0;
  let size = 0;
  for await (const { line, text } of lines) {
    if (!quoted) {
      if (text === '') continue;
      start = line;
      fields = [];
      field = '';
      size = 0;
    } else {
      // The newline was inside quotes: it is part of the field.
      field += '\n';
    }
    size += text.length;
    if (size > MAX_RECORD_CHARS) {
      quoted = false;
      yield { line: start, error: 'record too long (unbalanced quote?)' };
      continue;
    }
    let i = 0;
    const n = text.length;
    while (i < n) {
      const ch = text[i]!;
      if (quoted) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          quoted = false;
          i++;
          continue;
        }
        const next = text.indexOf('"', i);
        const end = next < 0 ? n : next;
        field += text.slice(i, end);
        i = end;
        continue;
      }
      if (ch === '"' && field === '') {
        quoted = true;
        i++;
      } else if (ch === delimiter) {
        fields.push(field);
        field = '';
        i++;
      } else {
        let j = i + 1;
        while (j < n && text[j] !== delimiter && text[j] !== '"') j++;
        // A quote in the middle of an unquoted field is kept as data (lenient, like Excel).
        if (j < n && text[j] === '"' && field + text.slice(i, j) !== '') {
          field += text.slice(i, j + 1);
          i = j + 1;
          continue;
        }
        field += text.slice(i, j);
        i = j;
      }
    }
    if (!quoted) {
      fields.push(field);
      yield { line: start, fields };
    }
  }
  if (quoted) yield { line: start, error: 'unterminated quoted field at end of file' };
}
