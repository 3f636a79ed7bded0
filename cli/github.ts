/**
 * GitHub Actions workflow commands (`::error file=…,line=…::message`), which the runner shows as
 * annotations on the file and line of a pull request. Escaping as the runner's toolkit does: a
 * message may not hold `%`, CR or LF raw, and a property not `:` or `,` either.
 */
import type { Diagnostic } from '../engine/index.js';
import type { SourceLoc } from '../engine/internal.js';

export type Level = 'error' | 'warning' | 'notice';

const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const property = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function annotation(level: Level, message: string, at: { loc?: SourceLoc | undefined; title?: string }): string {
  const props = [
    ...(at.loc ? [`file=${property(at.loc.file)}`, `line=${at.loc.line}`, `col=${at.loc.col}`] : []),
    ...(at.title ? [`title=${property(at.title)}`] : []),
  ];
  return `::${level}${props.length ? ` ${props.join(',')}` : ''}::${data(message)}`;
}

/** The annotation level of a diagnostic or finding severity. */
export const levelOf = (severity: 'error' | 'warning' | 'info'): Level => (severity === 'info' ? 'notice' : severity);

/** A compile diagnostic as an annotation: its code as the title, its help after the message. */
export const diagnosticAnnotation = (d: Diagnostic) => annotation(d.severity, `${d.message}${d.help ? `\nhelp: ${d.help}` : ''}`, { loc: d.loc, title: d.code });
