/** Whether backend events are flowing; shown in the status bar. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

export interface ConnectionWatch {
  readonly state: ConnectionState;
  onChange(listener: (state: ConnectionState) => void): () => void;
}
