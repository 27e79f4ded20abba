import type { GradeReport } from "../report.js";
import { formatGradescope } from "./gradescope.js";
import { formatJson } from "./json.js";
import { formatJunit } from "./junit.js";
import { formatTap } from "./tap.js";
import { formatText } from "./text.js";

export const FORMATS = {
  text: formatText,
  json: formatJson,
  junit: formatJunit,
  gradescope: formatGradescope,
  tap: formatTap,
} as const satisfies Record<string, (r: GradeReport) => string>;

export type FormatName = keyof typeof FORMATS;
