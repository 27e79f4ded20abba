export {
  assemble,
  scanReferences,
  definesSymbol,
  AssemblyError,
  type AssembledProgram,
  type AssembledLine,
  type AssembledSection,
  type AssembledSymbol,
  type AssembleOptions,
  type SectionSizes,
} from "./assemble.js";
export type { SectionName } from "./source-lines.js";
