export { createLmdbStore } from './create-lmdb-store.js';
export { StoreCorruptError } from './store-corrupt-error.js';
export type { LmdbStoreOptions } from './create-lmdb-store.js';
export type { SyncPolicy } from './write-batcher.js';
