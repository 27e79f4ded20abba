export { linkProgram, TEXT_BASE, type LinkProgramOptions, type InputFile } from "./link.js";
export { writeExecutable } from "./elf-writer.js";
export { readExecutable, isElf } from "./executable.js";
export { readObject, type ObjectFile } from "./elf-object.js";
export { readArchive, isArchive, type Archive } from "./archive.js";
export { LinkError } from "./bytes.js";
export { symbolize, type Image, type ImageSegment, type ImageSymbol } from "./image.js";
