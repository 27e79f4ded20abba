export {
  linkProgram,
  linkObjects,
  TEXT_BASE,
  type LinkProgramOptions,
  type LinkObjectsOptions,
  type InputFile,
} from "./link.js";
export { writeExecutable } from "./elf-writer.js";
export { readExecutable, isElf } from "./executable.js";
export {
  readObject,
  type ObjectFile,
  type ObjectSection,
  type ObjectSymbol,
  type Relocation,
} from "./elf-object.js";
export { readArchive, isArchive, type Archive, type ArchiveMember } from "./archive.js";
export { LinkError } from "./bytes.js";
export { symbolize, type Image, type ImageSegment, type ImageSymbol } from "./image.js";
export { relocationName, R_X86_64 } from "./elf.js";
