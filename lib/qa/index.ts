// QA console domain helpers (issue 10): agreement, sampling and analytics, pure and tested in Node.
export * from './analytics';
export * from './kappa';
export * from './sampling';
