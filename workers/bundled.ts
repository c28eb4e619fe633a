/** The rulebooks shipped in the extension (copied to /rulebooks at build time). */
export const RULEBOOK_FILES: string[] = [];
