/**
 * The importer registry: every supported export format is one module listed here. The format is
 * chosen by `--format` or by sniffing each file's first bytes and name.
 */
import { ImportError, type Importer } from '../types';
import { captionsImporter } from './captions';
import { chatTextImporter } from './chat-text';
import { contactLensImporter } from './contact-lens';
import { csvImporter } from './csv';
import { jsonlImporter } from './jsonl';

export const IMPORTERS: readonly Importer[] = [
  jsonlImporter,
  contactLensImporter,
  csvImporter,
  captionsImporter,
  chatTextImporter,
];

export function importerById(id: string): Importer {
  const found = IMPORTERS.find((i) => i.id === id);
  if (!found)
    throw new Error(`unknown --format ${id}; known formats: ${IMPORTERS.map((i) => i.id).join(', ')}`);
  return found;
}

/** The importer most sure it can read this file, or an error that says what the file looks like. */
export function chooseImporter(head: string, file: string): Importer {
  let best: Importer | undefined;
  let bestScore = 0;
  for (const imp of IMPORTERS) {
    const s = imp.sniff(head, file);
    if (s > bestScore) {
      best = imp;
      bestScore = s;
    }
  }
  if (best && bestScore >= 0.3) return best;
  const firstLines = head
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, 3)
    .map((l) => JSON.stringify(l.slice(0, 80)));
  throw new ImportError(
    file,
    `unknown format. It starts with ${firstLines.join(' / ') || '(nothing: empty file)'}. ` +
      `Supported: ${IMPORTERS.map((i) => `${i.id} (${i.description})`).join('; ')}. Use --format to choose one.`,
  );
}

export { parseColumnMap } from './csv';
