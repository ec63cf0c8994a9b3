import { UserError } from '../errors';
import type { CliIo, Command } from './command';

/**
 * Every command of `alignahead`, by the module that implements it. A module is loaded only when one
 * of its commands runs (or for --help), so `runs list` does not pay for the server, the queue or
 * the tensor engine: the CLI answers in a fraction of a second.
 */
const COMMAND_MODULES: { word: string; load: () => Promise<Command[]> }[] = [
  { word: 'train', load: async () => (await import('./train-commands')).trainCommands },
  { word: 'sweep', load: async () => (await import('./sweep-command')).sweepCommands },
  { word: 'runs', load: async () => (await import('./runs-commands')).runCommands },
  { word: 'history', load: async () => (await import('./history-commands')).historyCommands },
  { word: 'datasets', load: async () => (await import('./datasets-commands')).datasetCommands },
  { word: 'serve', load: async () => (await import('./serve-command')).serveCommands },
  { word: 'worker', load: async () => (await import('./worker-command')).workerCommands },
];

const processIo: CliIo = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  interactive: Boolean(process.stderr.isTTY),
};

async function helpText(): Promise<string> {
  const commands = (await Promise.all(COMMAND_MODULES.map((m) => m.load()))).flat();
  const lines = ['usage: alignahead <command> [options]   (add --help to any command)', '', 'commands:'];
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  for (const command of commands) lines.push(`  ${command.path.join(' ').padEnd(width)}  ${command.summary}`);
  return lines.join('\n');
}

/** Finds the command whose words are the longest prefix of argv, loading only its module. */
async function findCommand(argv: string[]): Promise<{ command: Command; rest: string[] } | null> {
  const module = COMMAND_MODULES.find((m) => m.word === argv[0]);
  if (!module) return null;
  let best: Command | null = null;
  for (const command of await module.load()) {
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
    io.out(await helpText());
    return 0;
  }
  const found = await findCommand(args);
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
