/**
 * Property tests run with one fixed seed by default, so a run — and CI — is reproducible: the same
 * commit gives the same verdict. Explore new inputs with `SOTTO_FC_SEED=random npm run test:unit`
 * (or any number); a failure prints its seed and counterexample, which then becomes an example test.
 * Tests that pass their own `seed` keep it.
 */
import fc from 'fast-check';

const raw = process.env.SOTTO_FC_SEED;
if (raw !== 'random') {
  const seed = raw === undefined || raw === '' ? 20261130 : Number(raw);
  if (!Number.isInteger(seed)) throw new Error(`SOTTO_FC_SEED must be an integer or "random", not ${raw}`);
  fc.configureGlobal({ seed });
}
