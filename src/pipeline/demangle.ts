/**
 * Rust's legacy symbol mangling (`_ZN` + length-prefixed path + `17h<hash>E`) made readable:
 * `_ZN11abi_runtime5print5print17h0123456789abcdefE` → `abi_runtime::print::print`.
 * Other names are returned unchanged.
 */
export function demangle(name: string): string {
  if (!name.startsWith("_ZN") || !name.endsWith("E")) return name;
  const parts: string[] = [];
  let i = 3;
  while (i < name.length - 1) {
    let j = i;
    while (j < name.length && name[j] >= "0" && name[j] <= "9") j++;
    if (j === i) return name;
    const len = Number(name.slice(i, j));
    const part = name.slice(j, j + len);
    if (part.length !== len) return name;
    parts.push(part);
    i = j + len;
  }
  if (parts.length && /^h[0-9a-f]{16}$/.test(parts[parts.length - 1])) parts.pop();
  return parts
    .map((p) =>
      p
        .replace(/^_\$/, "$")
        .replace(/\$LT\$/g, "<")
        .replace(/\$GT\$/g, ">")
        .replace(/\$u20\$/g, " ")
        .replace(/\$u7b\$/g, "{")
        .replace(/\$u7d\$/g, "}")
        .replace(/\$RF\$/g, "&")
        .replace(/\$C\$/g, ",")
        .replace(/\.\./g, "::"),
    )
    .join("::");
}
