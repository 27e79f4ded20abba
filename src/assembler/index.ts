export {
  assemble,
  scanReferences,
  scanSymbols,
  type SourceSymbols,
  definesSymbol,
  defaultPlacement,
  DEFAULT_TEXT_ADDRESS,
  type AssembledProgram,
  type AssembledLine,
  type AssembledSection,
  type AssembledSymbol,
  type AssembleOptions,
  type SectionSizes,
  type SectionAddresses,
} from "./assemble.js";
export { AssemblyError } from "./assembly-error.js";
export type { SectionName } from "./source-lines.js";
