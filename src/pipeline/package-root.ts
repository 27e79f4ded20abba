import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/** The abi-lab package folder (works from src/ under tsx and from dist/ when built). */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "abi-lab")
      return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find the abi-lab package folder");
    dir = up;
  }
}

/** The committed runtime-rs archive. */
export function runtimeArchivePath(): string {
  return join(packageRoot(), "runtime-rs", "dist", "libabi_runtime.a");
}
