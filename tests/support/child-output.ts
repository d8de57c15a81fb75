import type { ChildProcess } from "node:child_process";

/**
 * Waits for a line of a child process's stdout to match `pattern` and resolves with the match; if
 * the child exits (or cannot start) first, rejects at once with its exit code and the end of its
 * stderr, so a crash shows as the crash, not as a timeout.
 */
export function waitForOutput(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    const onData = (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = pattern.exec(stdout);
      if (match) {
        cleanup();
        resolve(match);
      }
    };
    const onErr = (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      reject(new Error(`${what} exited (${code ?? signal}) before printing ${pattern}: ${stderr.trim() || stdout.trim() || "no output"}`));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new Error(`${what} could not start: ${error.message}`));
    };
    const cleanup = () => {
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onErr);
      child.off("exit", onExit);
      child.off("error", onError);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onErr);
    child.once("exit", onExit);
    child.once("error", onError);
    if (child.exitCode !== null) onExit(child.exitCode, null);
  });
}
