export * from './backoff';
export * from './classify';
export * from './client';
export * from './outbox';
export * from './protocol';
export * from './sse';
