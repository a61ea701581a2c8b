export { Database } from './database';
export { MIGRATIONS_DIR, migrate } from './migrator';
