import { mount } from '@vue/test-utils';
import { defineComponent } from 'vue';
import type { CallName } from '../../../../contract/api';
import type { ConnectionState } from '../../api/connection';
import { fakeClient } from '../../fake-client.testutil';
import { API_KEY } from '../api-context';

/**
 * Runs a composable inside a mounted component over the fake client, with an event connection the
 * test drives: `setConnection('reconnecting')` then `'open'` plays a dropped and restored stream.
 */
export function mountComposable<T>(use: () => T, handlers: Parameters<typeof fakeClient>[0]) {
  const fake = fakeClient(handlers);
  const listeners = new Set<(state: ConnectionState) => void>();
  const connection = {
    state: 'open' as ConnectionState,
    onChange(listener: (state: ConnectionState) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  let result!: T;
  const Host = defineComponent({
    setup() {
      result = use();
      return () => null;
    },
  });
  const wrapper = mount(Host, { global: { provide: { [API_KEY as symbol]: { ...fake.client, connection } } } });
  return {
    result,
    wrapper,
    emit: fake.emit,
    /** the inputs of every call of `name`, in order */
    calls: (name: CallName) => fake.call.mock.calls.filter(([called]) => called === name).map(([, input]) => input),
    setConnection(state: ConnectionState) {
      connection.state = state;
      for (const listener of listeners) listener(state);
    },
  };
}
