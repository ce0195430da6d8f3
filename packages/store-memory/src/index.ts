export { createMemoryStore } from './create-memory-store.js';
export type { MemoryStoreOptions } from './create-memory-store.js';
