/**
 * Decoding a window of guest code bytes with iced-x86 into DecodedInstructions.
 */
import type { Decoder, Instruction } from "iced-x86";
import { plainInstruction, type DecodedInstruction } from "./decoded-instruction.js";
import { loadIced } from "./iced.js";

let scratch: Instruction | undefined;

const mnemonicName = (m: number) => loadIced().Mnemonic[m] ?? "?";
const memoryBytes = (size: number) => loadIced().MemorySizeExt.size(size);

/** The plain form of an instruction iced decoded. */
export function decodedFromIced(ins: Instruction): DecodedInstruction {
  return plainInstruction(ins, mnemonicName, memoryBytes);
}

/** An iced decoder over `bytes`, the guest's code from address `ip` on. Call free() when done. */
export class WindowDecoder {
  private readonly decoder: Decoder;
  /** Where the decoder stands (it decodes sequentially unless told otherwise). */
  private position = 0;

  constructor(
    bytes: Uint8Array,
    private readonly ip: number,
  ) {
    const iced = loadIced();
    this.decoder = new iced.Decoder(64, bytes, iced.DecoderOptions.None);
    this.decoder.ip = BigInt(ip);
  }

  /** The instruction at offset `pos`, or undefined if it runs past the end of the bytes. */
  decodeAt(pos: number): DecodedInstruction | undefined {
    const iced = loadIced();
    const decoder = this.decoder;
    if (pos !== this.position) {
      decoder.position = pos;
      decoder.ip = BigInt(this.ip + pos);
    }
    const ins = (scratch ??= new iced.Instruction());
    decoder.decodeOut(ins);
    if (ins.code === iced.Code.INVALID && decoder.lastError === iced.DecoderError.NoMoreBytes) {
      this.position = -1;
      return undefined;
    }
    this.position = pos + ins.length;
    return decodedFromIced(ins);
  }

  free(): void {
    this.decoder.free();
  }
}
