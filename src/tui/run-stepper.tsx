import { render } from "ink";
import type { StepSession } from "./session.js";
import { StepperApp } from "./ui/stepper-app.js";

const ENTER_SCREEN = "\x1b[?1049h\x1b[H\x1b[2J\x1b[?25l"; // alternate screen, home, clear, hide cursor
const LEAVE_SCREEN = "\x1b[?25h\x1b[?1049l"; // show cursor, main screen back

/** Runs the stepper full-screen on the process's terminal until q. */
export async function runStepper(session: StepSession): Promise<void> {
  const out = process.stdout;
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    out.write(LEAVE_SCREEN);
  };
  process.once("exit", restore);
  out.write(ENTER_SCREEN);
  try {
    const app = render(<StepperApp session={session} />, { exitOnCtrlC: false, patchConsole: true });
    await app.waitUntilExit();
    app.cleanup();
  } finally {
    restore();
    process.removeListener("exit", restore);
  }
}
