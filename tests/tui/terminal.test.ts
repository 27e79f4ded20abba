/**
 * End to end in a real terminal: tmux at 100×30 runs the built CLI (`npm test` builds first).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
const built = existsSync("dist/src/cli/main.js");
const skip = !hasTmux
  ? "tmux is not installed (the CI image installs it)"
  : !built
    ? "the CLI is not built: run npm run build first"
    : false;

const socket = `abi-lab-test-${process.pid}`;
const tmux = (...args: string[]) => {
  const r = spawnSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

after(() => {
  if (hasTmux) spawnSync("tmux", ["-L", socket, "kill-server"]);
});

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

test(
  "tmux 100×30: c shows writeln's call panel, r changes it back, q exits and restores the terminal",
  { skip },
  async () => {
    const sandbox = mkdtempSync(join(tmpdir(), "abi-lab-step-tmux-"));
    const cli = join(process.cwd(), "bin/abi-lab.js");
    const command = [
      `${shellQuote(process.execPath)} ${shellQuote(cli)} step examples/hello.scm --break writeln --sandbox ${shellQuote(sandbox)}`,
      `echo "EXIT=$?"`,
      `stty -a | tr ' ' '\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '`,
      `echo`,
      `sleep 60`,
    ].join("; ");
    tmux(
      "new-session",
      "-d",
      "-s",
      "step",
      "-x",
      "100",
      "-y",
      "30",
      "-c",
      process.cwd(),
      `sh -c ${shellQuote(command)}`,
    );
    const pane = () => tmux("capture-pane", "-p", "-t", "step");
    const state = (format: string) => tmux("display-message", "-p", "-t", "step", format).trim();
    const waitFor = async (what: string, ok: (screen: string) => boolean, ms = 20_000) => {
      const end = Date.now() + ms;
      for (;;) {
        const screen = pane();
        if (ok(screen)) return screen;
        if (Date.now() > end) assert.fail(`timed out waiting for ${what}; the screen:\n${screen}`);
        await sleep(50);
      }
    };

    const start = await waitFor("the stepper", (s) => s.includes("abi-lab step examples/hello.scm"));
    assert.match(start, /step 0 · _start/);
    assert.equal(state("#{alternate_on}"), "1", "the stepper uses the alternate screen");

    tmux("send-keys", "-t", "step", "c");
    const atWriteln = await waitFor("the breakpoint", (s) => s.includes("breakpoint at writeln"));
    assert.match(atWriteln, /call writeln · System V AMD64/);
    assert.match(atWriteln, /writeln\(data: Value, port: Value\) -> Value/);
    assert.match(atWriteln, /rdi\s+data "Hello !!con 👋"/);
    assert.match(atWriteln, /rsi\s+port #<output port "\/tmp\/inc\/io\.txt">/);
    assert.match(atWriteln, /rsp%16 = 0 at the call ✓ aligned/);
    assert.equal(atWriteln.split("\n").filter((l) => l !== "").length <= 30, true);

    tmux("send-keys", "-t", "step", "r");
    const back = await waitFor("the reverse step", (s) => s.includes("reversed 1 instruction"));
    assert.notEqual(back, atWriteln);
    assert.match(back, /next instruction: call writeln/);
    assert.match(back, /▶[0-9a-f]+ {2}call writeln/);

    tmux("send-keys", "-t", "step", "q");
    const done = await waitFor("the exit", (s) => /EXIT=\d+/.test(s) && /icanon|echo/.test(s));
    assert.match(done, /EXIT=0/);
    assert.match(done, /abi-lab step: the sandbox/);
    assert.doesNotMatch(done, /registers/, "the stepper's screen is gone (alternate screen left)");
    assert.match(done, /(^| )icanon( |$)/m, "canonical mode restored");
    assert.match(done, /(^| )echo( |$)/m, "echo restored");
    assert.equal(state("#{alternate_on}"), "0");
    assert.equal(state("#{cursor_flag}"), "1", "the cursor is visible again");
  },
);

test(
  "without a terminal, step explains and points to trace (exit 2)",
  { skip: !built && "build first" },
  () => {
    const r = spawnSync(process.execPath, ["bin/abi-lab.js", "step", "examples/hello.scm"], {
      encoding: "utf8",
      input: "",
    });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /needs an interactive terminal/);
    assert.match(r.stderr, /abi-lab trace examples\/hello\.scm/);
    assert.equal(r.stdout, "");
  },
);
