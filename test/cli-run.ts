// Runs the CLI in-process for tests and captures what it prints.
import { main } from '../src/cli/main';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** `quantbench <argv>` with stdout/stderr captured; `code` is the exit code main() returns. */
export async function runCli(argv: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await main(argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}
