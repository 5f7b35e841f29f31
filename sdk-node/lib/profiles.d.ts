// Types of `sigwire.profiles` (lib/profiles.js): the shared API (common/profiles.d.ts, also the
// browser package's), re-exported as `profiles` by index.d.ts.
export * from './common/profiles';
