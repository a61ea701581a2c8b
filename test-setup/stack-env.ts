// Runs in every test worker: the addresses of the stack the global setup chose (containers), if any.
import { inject } from 'vitest';

Object.assign(process.env, inject('stackEnv'));
