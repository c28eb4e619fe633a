export const BUILT_CONSOLES: string[];
export function buildFixtures(): Promise<void>;
