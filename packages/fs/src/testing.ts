// The simulated disk and its helpers, for tests: `@stowage/fs/testing`.
export {};
