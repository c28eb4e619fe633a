/**
 * Script hints and the must-say checklist (issue 8): pure selection and filling logic, shared by
 * the side panel and tests. Libraries are data (`scripts/library/*.json`), validated by `ScriptLibrary`.
 */
export * from './checklist';
export * from './schema';
export * from './select';
export * from './vars';
