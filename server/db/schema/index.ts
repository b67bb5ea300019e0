export * from './audit.ts';
export * from './auth.ts';
export * from './connections.ts';
export * from './tenancy.ts';
