/** The engine's version, recorded in every decision; kept equal to package.json by a test. */
export const ENGINE_VERSION = '0.1.0';

/** The rule-language version that rule files declare with `version: 1`. */
export const LANGUAGE_VERSION = 1;
