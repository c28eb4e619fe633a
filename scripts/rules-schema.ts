/** Writes the rulebook JSON Schema for editors (`npm run schema`). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { rulebookJsonSchema } from '../lib/rules/schema';

const out = resolve(process.argv[2] ?? 'schema/rulebook.schema.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(rulebookJsonSchema(), null, 2)}\n`);
console.log(`wrote ${out}`);
