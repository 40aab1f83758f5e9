/**
 * What a small web app does with its store: sessions that expire, page-view counters
 * bumped by many requests at once, and one namespace per customer. Written against
 * KeyValueMap only, so it runs unchanged on any engine.
 */
import type { KeyValueMap } from '@stowage/core';

export interface Session {
  readonly user: string;
  readonly createdAt: string;
}

export const pageViews = 'counter:page-views';

export async function createSessions(store: KeyValueMap<string, unknown>, shortTtlMs: number): Promise<void> {
  const createdAt = new Date().toISOString();
  await store.set('session:alice', { user: 'alice', createdAt } satisfies Session, { ttl: 60 * 60 * 1000 });
  await store.set('session:bob', { user: 'bob', createdAt } satisfies Session, { ttl: shortTtlMs });
}

/** `requests` increments of one counter, all started at once, as concurrent requests would. */
export async function countPageViews(store: KeyValueMap<string, unknown>, requests: number): Promise<number> {
  await Promise.all(
    Array.from({ length: requests }, () =>
      store.update(pageViews, (current) => (typeof current === 'number' ? current : 0) + 1),
    ),
  );
  return (await store.get(pageViews)) as number;
}

export async function fillTenants(store: KeyValueMap<string, unknown>): Promise<void> {
  const acme = store.namespace('tenant:acme:');
  const globex = store.namespace('tenant:globex:');
  await acme.setMany([
    ['settings', { theme: 'dark' }],
    ['user:1', { name: 'Wile E.' }],
    ['user:2', { name: 'Road Runner' }],
  ]);
  await globex.setMany([
    ['settings', { theme: 'light' }],
    ['user:1', { name: 'Hank Scorpio' }],
  ]);
}

export async function tenantSizes(store: KeyValueMap<string, unknown>): Promise<{ acme: number; globex: number }> {
  return { acme: await store.namespace('tenant:acme:').size(), globex: await store.namespace('tenant:globex:').size() };
}
