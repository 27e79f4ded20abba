import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UserInputError } from "../diagnostics.js";
import { EXERCISES, findExercise } from "../exercises/catalog/index.js";
import { describeExercise, listExercises } from "../exercises/describe.js";
import type { Exercise } from "../exercises/types.js";
import { parseCommand } from "./args.js";

/** `abi-lab exercises [ID] [--start] [--force]` */
export function exercisesCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand("exercises", argv, {
    start: { type: "boolean" },
    force: { type: "boolean" },
  });
  if (positionals.length > 1)
    throw new UserInputError(`abi-lab exercises: one exercise at a time (got ${positionals.join(", ")})`);
  const [id] = positionals;
  if (id === undefined) {
    if (values.start) throw new UserInputError("abi-lab exercises: --start needs an exercise ID");
    process.stdout.write(listExercises(EXERCISES));
    return Promise.resolve(0);
  }
  const exercise = exerciseById("exercises", id);
  if (!values.start) {
    process.stdout.write(describeExercise(exercise));
    return Promise.resolve(0);
  }
  const path = join(process.cwd(), exercise.starter.file);
  if (existsSync(path) && !values.force)
    throw new UserInputError(
      `abi-lab exercises: ${exercise.starter.file} already exists here; not overwriting it (--force to replace it)`,
    );
  try {
    writeFileSync(path, exercise.starter.source);
  } catch (e) {
    throw new UserInputError(
      `abi-lab exercises: cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  process.stdout.write(
    `wrote ${exercise.starter.file}: edit it, then grade it with\n  abi-lab check ${exercise.starter.file} --exercise ${exercise.id}\n`,
  );
  return Promise.resolve(0);
}

/** The exercise with this ID, or a user error that lists the IDs. */
export function exerciseById(command: string, id: string): Exercise {
  const exercise = findExercise(id);
  if (!exercise)
    throw new UserInputError(
      `abi-lab ${command}: no exercise '${id}' (the exercises: ${EXERCISES.map((e) => e.id).join(", ")})`,
    );
  return exercise;
}
