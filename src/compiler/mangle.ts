const REPLACEMENTS: [RegExp, string][] = [
  [/->/g, "_to_"],
  [/\?/g, "_p"],
  [/!/g, "_x"],
  [/\*/g, "_star"],
  [/\+/g, "_plus"],
  [/</g, "_lt"],
  [/>/g, "_gt"],
  [/=/g, "_eq"],
  [/\//g, "_slash"],
  [/%/g, "lib_"],
  [/:/g, "_"],
  [/-/g, "_"],
];

/** A Scheme identifier as an assembler-safe label fragment: `list->string` → `list_to_string`. */
export function mangle(name: string): string {
  let s = name;
  for (const [re, to] of REPLACEMENTS) s = s.replace(re, to);
  s = [...s].map((c) => (/[A-Za-z0-9_]/.test(c) ? c : `_${c.codePointAt(0)!.toString(16)}`)).join("");
  return /^[0-9]/.test(s) ? `_${s}` : s;
}
