import fc from 'fast-check';

// Property tests run from a fixed seed, so CI is reproducible and a failure can be replayed exactly;
// set FC_SEED to explore other cases (e.g. `FC_SEED=$RANDOM pnpm test:unit`).
fc.configureGlobal({ seed: process.env.FC_SEED === undefined ? 20_261_128 : Number(process.env.FC_SEED) });
