/** The package name every StowageError from this engine carries. */
export const origin = '@stowage/sqlite';
