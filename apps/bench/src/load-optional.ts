/**
 * Imports a package that may not be there yet (an engine still being written) or may fail to
 * load (a native addon built for another Node). The specifier goes through a variable so the
 * type checker does not require the package: each adapter states the shape it uses instead.
 */
export type Loaded<T> = { readonly ok: true; readonly module: T } | { readonly ok: false; readonly reason: string };

export async function loadOptional<T>(specifier: string, check: (module: T) => string | undefined): Promise<Loaded<T>> {
  let module: T;
  try {
    module = (await import(specifier)) as T;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(specifier)) {
      return { ok: false, reason: `${specifier} is not there yet (its src/index.ts is missing)` };
    }
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { ok: false, reason: `${specifier} did not load: ${message}` };
  }
  const missing = check(module);
  return missing === undefined ? { ok: true, module } : { ok: false, reason: `${specifier}: ${missing}` };
}

/** A check for `loadOptional`: every named export must be a function (a class or a factory). */
export function exportsFunctions<T>(...names: string[]): (module: T) => string | undefined {
  return (module) => {
    const absent = names.filter((name) => typeof (module as Record<string, unknown>)[name] !== 'function');
    return absent.length === 0 ? undefined : `does not export ${absent.join(', ')} yet`;
  };
}
