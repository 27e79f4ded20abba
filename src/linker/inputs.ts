/**
 * Choosing what to link, like a classic Unix linker: every object given is linked; an archive
 * member only when it defines a symbol that is still undefined, repeated until nothing new is
 * needed (all archives are searched each round, as with --start-group). Then duplicate COMDAT
 * groups (inline functions, templates) are dropped: the first definition wins.
 */
import type { Archive } from "./archive.js";
import { ELF, type ObjectFile } from "./elf-object.js";

export interface InputObject {
  file: ObjectFile;
  /** Sections dropped because an earlier object already provided their COMDAT group. */
  discarded: ReadonlySet<number>;
}

/**
 * The objects to link: `objects` and the archive members needed by them, by `roots` (symbols
 * the caller needs) and by each other. `definedElsewhere` names symbols provided outside the
 * objects (the program's labels), which need no member.
 */
export function selectInputs(
  objects: readonly ObjectFile[],
  archives: readonly Archive[],
  roots: Iterable<string>,
  definedElsewhere: (name: string) => boolean,
): ObjectFile[] {
  const chosen: ObjectFile[] = [];
  const defined = new Set<string>();
  const wanted = new Set<string>(roots);
  const add = (o: ObjectFile) => {
    chosen.push(o);
    for (const s of o.symbols) {
      if (s.bind === ELF.STB_LOCAL || s.name === "") continue;
      if (s.section !== ELF.SHN_UNDEF) defined.add(s.name);
      // A weak reference does not pull a member (it is 0 if nothing else defines it).
      else if (s.bind !== ELF.STB_WEAK) wanted.add(s.name);
    }
  };
  objects.forEach(add);
  const loaded = archives.map(() => new Set<number>());
  for (let progress = true; progress;) {
    progress = false;
    for (const name of wanted) {
      if (defined.has(name) || definedElsewhere(name)) continue;
      for (let a = 0; a < archives.length; a++) {
        const member = archives[a].index.get(name);
        if (member === undefined || loaded[a].has(member)) continue;
        loaded[a].add(member);
        add(archives[a].object(member));
        progress = true;
        break;
      }
    }
  }
  return chosen;
}

/** Marks the sections of COMDAT groups already seen in an earlier object. */
export function dropDuplicateGroups(objects: readonly ObjectFile[]): InputObject[] {
  const seen = new Set<string>();
  return objects.map((file) => {
    const discarded = new Set<number>();
    for (const g of file.groups) {
      if (!g.comdat) continue;
      if (seen.has(g.signature)) for (const s of g.sections) discarded.add(s);
      else seen.add(g.signature);
    }
    return { file, discarded };
  });
}
