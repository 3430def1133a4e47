// The contract every Store adapter passes: run it with a function that opens a new, empty store.
import { describe } from 'vitest';
import type { OpenStore } from './contract/fixtures.ts';
import { conversationListContract } from './contract/conversation-list.contract.ts';
import { conversationsContract } from './contract/conversations.contract.ts';
import { lifecycleContract } from './contract/lifecycle.contract.ts';
import { profileConversationsContract } from './contract/profile-conversations.contract.ts';
import { profilesContract } from './contract/profiles.contract.ts';
import { reportContract } from './contract/report.contract.ts';
import { rulesContract } from './contract/rules.contract.ts';

export type { OpenStore } from './contract/fixtures.ts';

/** Nothing here knows the database: a PostgreSQL adapter runs the same suite with its own `open`. */
export function describeStoreContract(name: string, open: OpenStore): void {
  describe(`Store contract: ${name}`, () => {
    describe('conversations', () => conversationsContract(open));
    describe('conversation list', () => conversationListContract(open));
    describe('profile conversations', () => profileConversationsContract(open));
    describe('profiles', () => profilesContract(open));
    describe('rules', () => rulesContract(open));
    describe('report', () => reportContract(open));
    describe('lifecycle', () => lifecycleContract(open));
  });
}
