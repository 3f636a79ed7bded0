/**
 * An independent check of what JSON.parse cannot tell about text it accepted: whether one object
 * repeats a member name (JSON.parse keeps the last), and whether a number is beyond a double's
 * range (JSON.parse makes it ±Infinity, and a repeated member may drop it from the value), and the
 * longest string as written (escapes undecoded). It
 * finds string boundaries, numbers and object nesting, and decodes names with JSON.parse itself.
 */
export function textFacts(text: string): { duplicate: boolean; infinite: boolean; longestRaw: number } {
  const stack: (Set<string> | null)[] = [];
  let duplicate = false;
  let infinite = false;
  let longestRaw = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      longestRaw = Math.max(longestRaw, j - i - 1);
      let k = j + 1;
      while (k < text.length && ' \t\n\r'.includes(text[k]!)) k++;
      const top = stack[stack.length - 1];
      if (text[k] === ':' && top) {
        const name = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.has(name)) duplicate = true;
        top.add(name);
      }
      i = j + 1;
      continue;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      const m = /^-?[0-9.eE+-]+/.exec(text.slice(i, i + 1000))!;
      if (!Number.isFinite(Number(m[0]))) infinite = true;
      i += m[0].length;
      continue;
    }
    if (c === '{') stack.push(new Set());
    else if (c === '[') stack.push(null);
    else if (c === '}' || c === ']') stack.pop();
    i++;
  }
  return { duplicate, infinite, longestRaw };
}
