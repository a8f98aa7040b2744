declare const __MENTORING_VERSION__: string;

/** This build's version, from package.json (replaced at build time by rollup, and by esbuild in tests). */
export const version: string = __MENTORING_VERSION__;
