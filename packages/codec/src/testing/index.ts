export { packetCorpus, isErrorCase, hex } from './corpus.js';
export type { CorpusCase, PacketCase, ErrorCase, ExpectedError } from './corpus.js';
