import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { errorBodyOf } from '../../core/api/errors';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, MAX_REQUEST_BYTES, isCallName, type ApiEvent, type CallName, type CallResult } from '../../contract/api';

/**
 * The IPC end of the API: the renderer's `invoke(IPC_CALL_CHANNEL, name, input)` lands here, is
 * checked (who sent it, what shape it has) and only then reaches the shared dispatcher, the same
 * one serve mode's HTTP routes use. Schema validation of the input is the dispatcher's job.
 */

export type Dispatch = (name: CallName, input: unknown) => Promise<CallResult<unknown>>;

export interface ApiIpcOptions {
  dispatch: Dispatch;
  /** whether a frame URL is the app's own page */
  isAppUrl(url: string): boolean;
}

type Refusal = { ok: false; error: { error: string; status: number } };

function refuse(status: number, error: string): Refusal {
  return { ok: false, error: { error, status } };
}

/** Rejects calls from anything but the app's own top-level page (an iframe or a navigated-away frame). */
export function checkSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>, isAppUrl: (url: string) => boolean): Refusal | null {
  const frame = event.senderFrame;
  if (!frame) return refuse(403, 'IPC call refused: the sending frame is gone');
  if (frame.parent !== null) return refuse(403, 'IPC call refused: only the app window itself may call the API');
  if (!isAppUrl(frame.url)) return refuse(403, `IPC call refused: ${frame.url || 'an unknown page'} is not the app`);
  return null;
}

/** Checks the invoke arguments: a known call name and a plain, bounded input. */
export function checkPayload(args: unknown[]): { ok: true; name: CallName; input: unknown } | Refusal {
  if (args.length > 2) return refuse(400, `IPC call refused: expected (name, input), got ${args.length} arguments`);
  const [name, input] = args;
  if (typeof name !== 'string') return refuse(400, `IPC call refused: the call name must be a string, got ${typeof name}`);
  if (!isCallName(name)) return refuse(400, `IPC call refused: unknown call ${JSON.stringify(name.slice(0, 100))}`);
  let encoded: string | undefined;
  try {
    encoded = JSON.stringify(input ?? {});
  } catch (error) {
    return refuse(400, `${name}: the input cannot be serialised (${(error as Error).message})`);
  }
  if (encoded === undefined) return refuse(400, `${name}: the input must be an object`);
  const bytes = Buffer.byteLength(encoded, 'utf8');
  if (bytes > MAX_REQUEST_BYTES) return refuse(413, `${name}: the input is ${bytes} bytes, more than the ${MAX_REQUEST_BYTES} allowed`);
  return { ok: true, name, input };
}

/** Registers the call channel; returns a function that removes it again. */
export function registerApiIpc(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, options: ApiIpcOptions): () => void {
  ipcMain.handle(IPC_CALL_CHANNEL, async (event, ...args: unknown[]): Promise<CallResult<unknown>> => {
    const senderRefusal = checkSender(event, options.isAppUrl);
    if (senderRefusal) return senderRefusal;
    const payload = checkPayload(args);
    if (!payload.ok) return payload;
    try {
      return await options.dispatch(payload.name, payload.input);
    } catch (error) {
      // dispatch reports failures as values; a throw is a bug: answered (never left hanging), details logged
      return { ok: false, error: errorBodyOf(error) };
    }
  });
  return () => ipcMain.removeHandler(IPC_CALL_CHANNEL);
}

/** What events are forwarded to: each open window's web contents. */
export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: string, event: ApiEvent): void;
}

/** Sends one API event to every open window (closed ones are skipped). */
export function broadcastEvent(targets: readonly EventTarget[], event: ApiEvent): void {
  for (const target of targets) {
    if (!target.isDestroyed()) target.send(IPC_EVENT_CHANNEL, event);
  }
}
