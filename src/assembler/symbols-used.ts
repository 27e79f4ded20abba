/**
 * Which symbols a statement refers to: the identifiers in its operands that are not
 * registers, size keywords or numbers. Used to find undefined symbols (with the line that
 * first uses them) and to tell the linker which runtime functions the program needs.
 */

const REGISTERS = new Set<string>();
for (const r of ["ax", "bx", "cx", "dx", "si", "di", "sp", "bp"]) {
  REGISTERS.add(`r${r}`).add(`e${r}`).add(r);
}
for (const r of ["al", "bl", "cl", "dl", "ah", "bh", "ch", "dh", "sil", "dil", "spl", "bpl", "rip", "eip"])
  REGISTERS.add(r);
for (let i = 8; i < 16; i++) for (const s of ["", "d", "w", "b"]) REGISTERS.add(`r${i}${s}`);
for (let i = 0; i < 32; i++) REGISTERS.add(`xmm${i}`).add(`ymm${i}`).add(`zmm${i}`);
for (let i = 0; i < 8; i++) REGISTERS.add(`st${i}`).add(`mm${i}`).add(`k${i}`);
for (const r of ["cs", "ds", "es", "fs", "gs", "ss", "st"]) REGISTERS.add(r);

const KEYWORDS = new Set([
  "byte",
  "word",
  "dword",
  "qword",
  "tbyte",
  "xword",
  "oword",
  "xmmword",
  "ymmword",
  "zmmword",
  "ptr",
  "offset",
  "short",
  "near",
  "far",
  "flat",
]);

const PREFIXES = new Set([
  "rep",
  "repe",
  "repz",
  "repne",
  "repnz",
  "lock",
  "data16",
  "addr32",
  "notrack",
  "bnd",
]);

/** Identifiers referenced by a statement (instruction operands or data directives). */
export function identifiersIn(statement: string, syntax: "intel" | "att"): string[] {
  // AT&T allows several statements on a line (`rep; movsb`).
  if (syntax === "att" && statement.includes(";") && !statement.includes('"'))
    return statement.split(";").flatMap((part) => identifiersInOne(part, syntax));
  return identifiersInOne(statement, syntax);
}

function identifiersInOne(statement: string, syntax: "intel" | "att"): string[] {
  let s = statement.trim();
  if (s === "") return [];
  // Directives: only data directives refer to symbols.
  if (s.startsWith(".")) {
    const m = /^\.(quad|long|int|word|short|byte|8byte|4byte|2byte|value|dc\.a|set|equ)\b(.*)$/.exec(s);
    if (!m) return [];
    s = m[2];
    if (m[1] === "set" || m[1] === "equ") s = s.slice(s.indexOf(",") + 1);
  } else {
    // Drop prefixes and the mnemonic.
    let words = s.split(/\s+/);
    while (words.length > 1 && PREFIXES.has(words[0].toLowerCase())) words = words.slice(1);
    s = words.slice(1).join(" ");
  }
  s = s.replace(/"(?:[^"\\]|\\.)*"/g, " ").replace(/'(?:[^'\\]|\\.)'/g, " ");
  if (syntax === "att") s = s.replace(/%[a-z0-9]+/gi, " ").replace(/(^|[\s,(*])\$/g, "$1 ");
  const out: string[] = [];
  for (const m of s.matchAll(/(?<![\w.$])([A-Za-z_.$][\w.$@]*)/g)) {
    const id = m[1];
    const lower = id.toLowerCase();
    if (REGISTERS.has(lower) || KEYWORDS.has(lower)) continue;
    if (id === "." || id === "$") continue;
    out.push(id.replace(/@\w+$/, ""));
  }
  return out;
}
