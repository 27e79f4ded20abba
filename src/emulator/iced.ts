/**
 * iced-x86, loaded with `require`. It is one CommonJS file of about 1 MB; imported as an ES module,
 * Node parses it twice more (to detect its module format and to find its named exports), which
 * costs more than everything else `abi-lab run hello.scm` does. Import iced from here.
 */
import { createRequire } from "node:module";
import type * as Iced from "iced-x86";

const iced = createRequire(import.meta.url)("iced-x86") as typeof Iced;
export default iced;
