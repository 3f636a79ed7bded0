/** Names of the derived-fact functions; the parser needs them before the definitions load. */
export const FUNCTION_NAMES: readonly string[] = [
  'add', 'subtract', 'multiply', 'divide', 'abs', 'min', 'max', 'round',
  'lookup', 'lowercase', 'uppercase', 'ascii_lowercase', 'ascii_uppercase', 'trim', 'length', 'after_first', 'after_last', 'coalesce',
  'count', 'sum', 'concat', 'date_of', 'date', 'instant', 'decimal', 'integer',
];
