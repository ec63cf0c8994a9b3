import type { ApiClient, ApiEvent, CallInput, CallName, CallOutput, PreloadBridge } from '../../../contract/api';
import { ApiError } from './api-error';
import type { ConnectionWatch } from './connection';

/** The Electron transport: calls and events through the preload bridge; errors come back as values. */
export function createIpcClient(bridge: PreloadBridge): ApiClient & { connection: ConnectionWatch } {
  return {
    async call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>> {
      let result;
      try {
        result = await bridge.call(name, input);
      } catch (error) {
        throw new ApiError(`${name}: ${error instanceof Error ? error.message : String(error)}`, 500, name);
      }
      if (!result.ok) throw new ApiError(result.error.error, result.error.status, name);
      return result.value as CallOutput<K>;
    },
    subscribe(listener: (event: ApiEvent) => void): () => void {
      return bridge.onEvent(listener);
    },
    // IPC needs no connection: it is open for the window's lifetime.
    connection: { state: 'open', onChange: () => () => undefined },
  };
}
