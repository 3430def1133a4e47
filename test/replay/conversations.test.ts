// Every transcript in test/conversations replays green through the runtime.
import { describe } from 'vitest';
import { transcriptTests } from '../../src/replay/vitest.ts';

describe('test/conversations', () => {
  transcriptTests('test/conversations');
});
