/**
 * Ctrl-C in the stepper quits cleanly, as q does: exit 0, the main screen, canonical mode, echo
 * and the cursor back (tmux runs the built CLI, as in terminal.test.ts).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
const built = existsSync("dist/src/cli/main.js");
const skip = !hasTmux ? "tmux is not installed (the CI image installs it)" : !built ? "build first" : false;

const socket = `abi-lab-ctrlc-${process.pid}`;
const tmux = (...args: string[]) => {
  const r = spawnSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

after(() => {
  if (hasTmux) spawnSync("tmux", ["-L", socket, "kill-server"]);
});

void test("Ctrl-C in the stepper quits and restores the terminal", { skip }, async () => {
  const sandbox = mkdtempSync(join(tmpdir(), "abi-lab-ctrlc-"));
  const command = [
    `${quote(process.execPath)} ${quote(join(process.cwd(), "bin/abi-lab.js"))} step examples/fib.scm --sandbox ${quote(sandbox)}`,
    `echo "EXIT=$?"`,
    `stty -a | tr ' ' '\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '`,
    `echo`,
    `sleep 60`,
  ].join("; ");
  tmux(
    "new-session",
    "-d",
    "-s",
    "s",
    "-x",
    "100",
    "-y",
    "30",
    "-c",
    process.cwd(),
    `sh -c ${quote(command)}`,
  );
  const pane = () => tmux("capture-pane", "-p", "-t", "s");
  const waitFor = async (what: string, ok: (screen: string) => boolean) => {
    const end = Date.now() + 20_000;
    for (;;) {
      const screen = pane();
      if (ok(screen)) return screen;
      if (Date.now() > end) assert.fail(`timed out waiting for ${what}; the screen:\n${screen}`);
      await sleep(50);
    }
  };
  await waitFor("the stepper", (s) => s.includes("abi-lab step examples/fib.scm"));
  tmux("send-keys", "-t", "s", "C-c");
  const done = await waitFor("the exit", (s) => /EXIT=\d+/.test(s) && /icanon|echo/.test(s));
  assert.match(done, /EXIT=0/);
  assert.match(done, /(^| )icanon( |$)/m, "canonical mode restored");
  assert.match(done, /(^| )echo( |$)/m, "echo restored");
  assert.equal(tmux("display-message", "-p", "-t", "s", "#{alternate_on}").trim(), "0");
  assert.equal(tmux("display-message", "-p", "-t", "s", "#{cursor_flag}").trim(), "1");
});
