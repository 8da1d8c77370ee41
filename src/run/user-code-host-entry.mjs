// User-code host bootstrap: TypeScript support first, then the host itself.
import { register } from 'tsx/esm/api';

register();
await import('./user-code-host-worker.ts');
