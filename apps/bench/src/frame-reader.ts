/** What a `FrameReader` hands to its listener for each whole packet. */
export interface Frame {
  /** The first byte of the fixed header: packet type in the high nibble, flags in the low one. */
  readonly header: number;
  /** The packet's body (variable header and payload), or undefined for types read without it. */
  readonly body: Buffer | undefined;
  /** Where the body starts in `body`. */
  readonly bodyOffset: number;
  /** The remaining length from the fixed header. */
  readonly bodyLength: number;
}

const stageHeader = 0;
const stageLength = 1;
const stageSkip = 2;
const stageCopy = 3;

/**
 * Splits an MQTT byte stream into packets by walking only the fixed headers, much faster than a
 * full decode: bodies are skipped unless their packet type is in `bodyTypes`, and even then they
 * are handed over in place (copied into one reused buffer only when split across chunks).
 */
export class FrameReader implements Frame {
  header = 0;
  body: Buffer | undefined;
  bodyOffset = 0;
  bodyLength = 0;
  private stage = stageHeader;
  private shift = 0;
  private remaining = 0;
  private scratch = Buffer.alloc(256);
  private scratchFill = 0;

  constructor(
    private readonly bodyTypes: number,
    private readonly listener: (frame: Frame) => void,
  ) {}

  /** A bit mask of packet types (1 << type) whose bodies the listener needs. */
  static types(...types: number[]): number {
    return types.reduce((mask, type) => mask | (1 << type), 0);
  }

  push(chunk: Buffer): void {
    const end = chunk.length;
    let index = 0;
    while (index < end) {
      switch (this.stage) {
        case stageHeader:
          this.header = chunk[index]!;
          index += 1;
          this.bodyLength = 0;
          this.shift = 0;
          this.stage = stageLength;
          break;
        case stageLength: {
          const byte = chunk[index]!;
          index += 1;
          this.bodyLength += (byte & 0x7f) * 2 ** this.shift;
          this.shift += 7;
          if ((byte & 0x80) !== 0) break;
          const available = end - index;
          if ((this.bodyTypes & (1 << (this.header >> 4))) === 0) {
            if (available >= this.bodyLength) {
              index += this.bodyLength;
              this.emit(undefined, 0);
            } else {
              this.remaining = this.bodyLength - available;
              index = end;
              this.stage = stageSkip;
            }
          } else if (available >= this.bodyLength) {
            this.emit(chunk, index);
            index += this.bodyLength;
          } else {
            if (this.scratch.length < this.bodyLength) this.scratch = Buffer.alloc(this.bodyLength * 2);
            chunk.copy(this.scratch, 0, index, end);
            this.scratchFill = available;
            index = end;
            this.stage = stageCopy;
          }
          break;
        }
        case stageSkip: {
          const taken = Math.min(this.remaining, end - index);
          index += taken;
          this.remaining -= taken;
          if (this.remaining === 0) this.emit(undefined, 0);
          break;
        }
        default: {
          const taken = Math.min(this.bodyLength - this.scratchFill, end - index);
          chunk.copy(this.scratch, this.scratchFill, index, index + taken);
          index += taken;
          this.scratchFill += taken;
          if (this.scratchFill === this.bodyLength) this.emit(this.scratch, 0);
        }
      }
    }
  }

  private emit(body: Buffer | undefined, offset: number): void {
    this.body = body;
    this.bodyOffset = offset;
    this.stage = stageHeader;
    this.listener(this);
  }
}
