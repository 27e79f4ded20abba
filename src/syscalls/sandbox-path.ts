import { lstatSync, readlinkSync } from "node:fs";
import { join } from "node:path";

/** A path the guest gave, resolved inside the sandbox, or the errno why not. */
export type Resolved = { ok: true; host: string; guest: string } | { ok: false; errno: number };

export const ENOENT = 2;
export const EACCES = 13;
export const ENOTDIR = 20;
export const ENAMETOOLONG = 36;
export const ELOOP = 40;

const MAX_LINKS = 40;
const PATH_MAX = 4096;

/**
 * The one place guest paths become host paths. The guest's `/` is the sandbox directory;
 * paths are resolved component by component in guest space: `..` stops at the guest root, an
 * absolute path starts at the sandbox, and a symlink inside the sandbox is read and its target
 * resolved in guest space too (an absolute target means the sandbox's root). The host never
 * follows a link itself, so nothing resolves outside the sandbox.
 *
 * `followLast`: whether a symlink in the last component is followed (open: yes; lstat,
 * unlink, mkdir: no).
 */
export function resolveGuestPath(
  sandbox: string,
  cwd: string,
  path: Uint8Array,
  followLast = true,
): Resolved {
  if (path.length === 0) return { ok: false, errno: ENOENT };
  if (path.length >= PATH_MAX) return { ok: false, errno: ENAMETOOLONG };
  const text = Buffer.from(path).toString("latin1");
  const start = text.startsWith("/") ? [] : splitGuest(cwd);
  let pending = [...splitGuest(text)];
  const parts = start;
  let links = 0;
  while (pending.length) {
    const name = pending.shift()!;
    if (name === "." || name === "") continue;
    if (name === "..") {
      parts.pop();
      continue;
    }
    if (Buffer.byteLength(name, "latin1") > 255) return { ok: false, errno: ENAMETOOLONG };
    parts.push(name);
    const host = hostOf(sandbox, parts);
    let isLink = false;
    try {
      isLink = lstatSync(host).isSymbolicLink();
    } catch {
      isLink = false;
    }
    if (!isLink || (pending.length === 0 && !followLast)) continue;
    if (++links > MAX_LINKS) return { ok: false, errno: ELOOP };
    let target: string;
    try {
      target = readlinkSync(Buffer.from(host, "latin1"), { encoding: "latin1" });
    } catch {
      return { ok: false, errno: EACCES };
    }
    parts.pop();
    if (target.startsWith("/")) parts.length = 0;
    pending = [...splitGuest(target), ...pending];
  }
  return { ok: true, host: hostOf(sandbox, parts), guest: "/" + parts.join("/") };
}

function splitGuest(p: string): string[] {
  return p.split("/").filter((x) => x.length > 0);
}

function hostOf(sandbox: string, parts: string[]): string {
  // Names are bytes (latin1 keeps them 1:1); a guest name can never contain "/" or be "..".
  return parts.length
    ? join(sandbox, ...parts.map((p) => Buffer.from(p, "latin1").toString("latin1")))
    : sandbox;
}
