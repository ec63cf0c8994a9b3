import { UserError } from '../errors';
import type { CliIo, Command } from './command';
import { datasetCommands } from './datasets-commands';
import { runCommands } from './runs-commands';
import { serveCommands } from './serve-command';
import { sweepCommands } from './sweep-command';
import { trainCommands } from './train-commands';
import { workerCommands } from './worker-command';

/** Every command of `alignahead`; each module contributes its own list. */
const commands: Command[] = [...trainCommands, ...sweepCommands, ...runCommands, ...datasetCommands, ...serveCommands, ...workerCommands];

const processIo: CliIo = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  interactive: Boolean(process.stderr.isTTY),
};

function helpText(): string {
  const lines = ['usage: alignahead <command> [options]   (add --help to any command)', '', 'commands:'];
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  for (const command of commands) lines.push(`  ${command.path.join(' ').padEnd(width)}  ${command.summary}`);
  return lines.join('\n');
}

/** Finds the command whose words are the longest prefix of argv. */
function findCommand(argv: string[]): { command: Command; rest: string[] } | null {
  let best: Command | null = null;
  for (const command of commands) {
    const matches = command.path.every((word, i) => argv[i] === word);
    if (matches && (!best || command.path.length > best.path.length)) best = command;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : null;
}

/** Runs the CLI; returns the exit code. Errors become one line on stderr unless --debug. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  if (args.length === 0 || args[0] === '--help' || args[0] === 'help') {
    io.out(helpText());
    return 0;
  }
  const found = findCommand(args);
  if (!found) {
    io.err(`alignahead: unknown command '${args.join(' ')}'. Run 'alignahead --help' for the list.`);
    return 2;
  }
  if (found.rest.includes('--help')) {
    io.out(found.command.usage);
    return 0;
  }
  try {
    return await found.command.run(found.rest, io);
  } catch (error) {
    if (debug) io.err((error as Error).stack ?? String(error));
    else if (error instanceof UserError) io.err(`alignahead ${found.command.path.join(' ')}: ${error.message}`);
    else io.err(`alignahead ${found.command.path.join(' ')}: internal error: ${(error as Error).message} (run with --debug for details)`);
    return error instanceof UserError ? 2 : 1;
  }
}
