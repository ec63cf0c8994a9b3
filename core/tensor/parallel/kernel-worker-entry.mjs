// Entry of a kernel thread when the project runs from its TypeScript sources: worker threads do
// not inherit the main thread's tsx loader, so the thread registers its own before loading.
import { register } from 'tsx/esm/api';

register();
await import('./kernel-worker.ts');
