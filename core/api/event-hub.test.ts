import { expect, it } from 'vitest';
import type { ApiEvent } from '../../contract/api';
import { createEventHub } from './event-hub';

const event: ApiEvent = { type: 'run.alignment', runId: 1, epoch: 2 };

it('delivers to every subscriber until it unsubscribes, and a failing subscriber does not stop the others', () => {
  const logged: string[] = [];
  const hub = createEventHub((line) => logged.push(line));
  const first: ApiEvent[] = [];
  const second: ApiEvent[] = [];
  const stopFirst = hub.subscribe((e) => first.push(e));
  hub.subscribe(() => {
    throw new Error('broken window');
  });
  hub.subscribe((e) => second.push(e));
  expect(hub.subscriberCount).toBe(3);
  hub.publish(event);
  stopFirst();
  hub.publish({ ...event, epoch: 3 });
  expect(first).toEqual([event]);
  expect(second).toEqual([event, { ...event, epoch: 3 }]);
  expect(logged).toHaveLength(2);
  expect(logged[0]).toMatch(/broken window/);
  expect(hub.subscriberCount).toBe(2);
});
