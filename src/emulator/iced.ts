/**
 * iced-x86, loaded with `require` (through V8's code cache when the object cache is enabled). It is
 * one CommonJS file of about 1 MB; imported as an ES module, Node parses it twice more (to detect
 * its module format and to find its named exports), which costs more than everything else
 * `abi-lab run hello.scm` does. Import iced from here.
 */
import type * as Iced from "iced-x86";
import { requireWithCodeCache } from "../cache/code-cache.js";

const iced = requireWithCodeCache("iced-x86", import.meta.url) as typeof Iced;
export default iced;
